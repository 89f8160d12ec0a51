import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { NotFoundError, ValidationError } from '../domain/common/domain-error';
import type { ModelRecord } from '../domain/catalog/catalog-records';
import type { StoreRegistry } from './store-registry';
import type { DirectUploadService } from './direct-upload.service';
import type { ProjectAccessService } from './project-access.service';
import { readableSql } from './version-files-read';

type Db = DataSource | EntityManager;

const SHA256 = /^[0-9a-f]{64}$/;
const TICKET = /^[0-9a-f]{32}$/;
const MAX_OBJECTS = 1000;

/** One object of an LFS batch answer: nothing to send (stored already), a ticket to PUT it to, or why not. */
export type LfsBatchItem =
  | { oid: string; size: number; kind: 'present' }
  | { oid: string; size: number; kind: 'upload'; ticket: string; expiresAt: Date }
  | { oid: string; size: number; kind: 'error'; code: number; message: string };

interface TicketRow {
  model_id: string;
  oid: string;
  size: string;
  stored_at: Date | null;
}

/**
 * The LFS side of the hub's push protocol (git-lfs batch API, basic transfer). The batch is asked with the
 * pusher's token and needs the editor role in the model's project; each object not already committable gets a
 * ticket: a random id, stored with the oid, size and model it stands for, that the client PUTs the bytes to
 * without a token (as it would to S3). The bytes go through the one direct-upload path: checked against the size
 * limit, the length and the oid (sha256) as they stream, stored whole or not at all.
 */
export class HubLfsService {
  constructor(
    private readonly db: DataSource,
    private readonly stores: StoreRegistry,
    private readonly direct: DirectUploadService,
    private readonly access: ProjectAccessService,
    private readonly ticketTtlMs: number,
  ) {}

  async batch(caller: Caller, model: ModelRecord, objects: unknown): Promise<LfsBatchItem[]> {
    await this.access.authorize(caller, 'Model', model.id, Role.EDITOR, 'Pushing files');
    if (!Array.isArray(objects)) throw new ValidationError('objects', 'must be a list of { oid, size }');
    if (objects.length > MAX_OBJECTS) throw new ValidationError('objects', `at most ${MAX_OBJECTS} objects a batch`);
    const asked = objects.map((o: unknown) => {
      const { oid, size } = (typeof o === 'object' && o !== null ? o : {}) as { oid?: unknown; size?: unknown };
      if (typeof oid !== 'string' || !SHA256.test(oid)) throw new ValidationError('oid', 'each object needs "oid": 64 lowercase hex characters (sha256)');
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ValidationError('size', 'each object needs "size": a whole number of bytes');
      return { oid, size };
    });
    const known = await this.committable(this.db, caller, model.id, asked.map((o) => o.oid));
    // Objects go to the store the model's next version is created in (storage registries), and are looked for there.
    const { store } = await this.stores.forModel(model.id);
    const items: LfsBatchItem[] = [];
    for (const { oid, size } of asked) {
      try {
        this.direct.requireSize(`LFS object ${oid}`, size);
      } catch (error) {
        items.push({ oid, size, kind: 'error', code: 422, message: (error as Error).message });
        continue;
      }
      const stored = known.get(oid);
      if (stored !== undefined && stored === size && (await store.has(oid))) {
        items.push({ oid, size, kind: 'present' });
        continue;
      }
      const ticket = randomBytes(16).toString('hex');
      const rows = (await this.db.query(
        `INSERT INTO hub_lfs_objects (ticket, model_id, oid, size, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, now() + ($6 || ' milliseconds')::interval) RETURNING expires_at`,
        [ticket, model.id, oid, size, caller.subject.slice(0, 256), String(this.ticketTtlMs)],
      )) as { expires_at: Date }[];
      items.push({ oid, size, kind: 'upload', ticket, expiresAt: rows[0].expires_at });
    }
    return items;
  }

  /**
   * The bytes of one ticket. The ticket is the authority, like a presigned URL: 128 random bits handed by the batch
   * to an editor of the model, good for that one oid and size until it expires; an unknown or expired one is 404.
   * A second PUT of stored bytes (a client retrying) answers as the first.
   */
  async upload(ticket: string, body: Readable): Promise<void> {
    if (!TICKET.test(ticket)) throw new NotFoundError('LFS upload', ticket.slice(0, 64));
    const [row] = (await this.db.query('SELECT model_id, oid, size, stored_at FROM hub_lfs_objects WHERE ticket = $1 AND expires_at > now()', [ticket])) as TicketRow[];
    if (!row) throw new NotFoundError('LFS upload', ticket);
    const { store } = await this.stores.forModel(row.model_id);
    if (row.stored_at !== null && (await store.has(row.oid))) {
      body.resume();
      return;
    }
    await this.direct.receive({ label: `LFS object ${row.oid}`, size: Number(row.size), sha256: row.oid }, body, store);
    await this.db.query('UPDATE hub_lfs_objects SET stored_at = now() WHERE ticket = $1', [ticket]);
  }

  /** The batch's verify action: the object is stored and committable to this model (404 otherwise). */
  async verify(caller: Caller, model: ModelRecord, oid: unknown, size: unknown): Promise<void> {
    await this.access.authorize(caller, 'Model', model.id, Role.EDITOR, 'Pushing files');
    if (typeof oid !== 'string' || !SHA256.test(oid)) throw new ValidationError('oid', 'must be 64 lowercase hex characters (sha256)');
    const stored = (await this.committable(this.db, caller, model.id, [oid])).get(oid);
    if (stored === undefined || !(await (await this.stores.forModel(model.id)).store.has(oid))) throw new NotFoundError('LFS object', oid);
    if (typeof size === 'number' && size !== stored) throw new ValidationError('size', `LFS object ${oid} is ${stored} bytes, not ${size}`);
  }

  /**
   * The sizes of the oids a commit to this model may name: stored through this model's tickets, or already a file of
   * a version the caller reads (so a digest alone never reaches another project's bytes).
   */
  async committable(db: Db, caller: Caller, modelId: string, oids: readonly string[]): Promise<Map<string, number>> {
    if (oids.length === 0) return new Map();
    const scope = readableSql(caller, 3);
    const rows = (await db.query(
      `SELECT oid, size FROM hub_lfs_objects WHERE model_id = $1 AND oid = ANY($2::text[]) AND stored_at IS NOT NULL
       UNION SELECT f.sha256 AS oid, f.size FROM version_files f JOIN model_versions v ON v.id = f.version_id JOIN models m ON m.id = v.model_id
        WHERE f.sha256 = ANY($2::text[])${scope.sql}`,
      [modelId, [...oids], ...scope.params],
    )) as { oid: string; size: string }[];
    return new Map(rows.map((r) => [r.oid.trim(), Number(r.size)]));
  }
}
