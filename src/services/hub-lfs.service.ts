import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import type { Caller } from '../domain/auth/caller';
import { Role } from '../domain/auth/roles';
import { ConflictError, NotFoundError, ValidationError } from '../domain/common/domain-error';
import type { ModelRecord } from '../domain/catalog/catalog-records';
import type { StorageUsageService } from './storage-usage.service';
import type { StoreRegistry } from './store-registry';
import type { DirectUploadService, UploadedPart } from './storage/direct-upload.service';
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
  | { oid: string; size: number; kind: 'multipart'; ticket: string; expiresAt: Date; partSize: number; parts: { partNumber: number; url: string }[] }
  | { oid: string; size: number; kind: 'error'; code: number; message: string };

interface TicketRow {
  model_id: string;
  oid: string;
  size: string;
  stored_at: Date | null;
  direct_upload_id: string | null;
}

/**
 * The LFS side of the hub's push protocol (git-lfs batch API). The batch is asked with the pusher's token and needs
 * the editor role in the model's project; each object not already committable gets a ticket: a random id, stored
 * with the oid, size and model it stands for, good without a token (as a presigned URL is). The bytes go through the
 * one direct-upload service, by the strategy of the store the model's next version is created in:
 * - an S3 store, to a client that speaks the hub's "multipart" transfer: presigned part URLs straight to the bucket,
 *   and the ticket URL is the completion the client POSTs its parts' ETags to (assembled, read back, verified);
 * - otherwise the basic transfer: the client PUTs the body to the ticket URL, checked as it streams through the API.
 * Either way the object is stored whole and hashing to its oid, or not at all, before the ticket counts.
 */
export class HubLfsService {
  constructor(
    private readonly db: DataSource,
    private readonly stores: StoreRegistry,
    private readonly direct: DirectUploadService,
    private readonly access: ProjectAccessService,
    private readonly usage: StorageUsageService,
    private readonly ticketTtlMs: number,
  ) {}

  async batch(caller: Caller, model: ModelRecord, objects: unknown, clientSpeaksMultipart = false): Promise<LfsBatchItem[]> {
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
    const resolved = await this.stores.forModel(model.id);
    const { store } = resolved;
    const transfer = this.direct.transferFor(resolved, clientSpeaksMultipart);
    const items: LfsBatchItem[] = [];
    const wanted: { oid: string; size: number }[] = [];
    for (const { oid, size } of asked) {
      try {
        this.direct.requireSize(`LFS object ${oid}`, size);
      } catch (error) {
        items.push({ oid, size, kind: 'error', code: 422, message: (error as Error).message });
        continue;
      }
      const stored = known.get(oid);
      if (stored !== undefined && stored === size && (await store.has(oid))) items.push({ oid, size, kind: 'present' });
      else wanted.push({ oid, size });
    }
    // The whole batch is refused (507) when its new bytes would take the project or the store past a quota; its tickets
    // are written under the same quota locks, so two batches at once see each other's.
    const tickets = await this.db.transaction(async (tx) => {
      if (wanted.some((o) => o.size > 0)) await this.usage.assertRoomForModel(tx, model.id, resolved.id, wanted);
      const written: { oid: string; size: number; ticket: string; expiresAt: Date }[] = [];
      for (const { oid, size } of wanted) {
        const ticket = randomBytes(16).toString('hex');
        const rows = (await tx.query(
          `INSERT INTO hub_lfs_objects (ticket, model_id, oid, size, created_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, now() + ($6 || ' milliseconds')::interval) RETURNING expires_at`,
          [ticket, model.id, oid, size, caller.subject.slice(0, 256), String(this.ticketTtlMs)],
        )) as { expires_at: Date }[];
        written.push({ oid, size, ticket, expiresAt: rows[0].expires_at });
      }
      return written;
    });
    for (const { oid, size, ticket, expiresAt } of tickets) {
      // An empty object has no part to send: it takes the basic transfer whatever the store.
      if (transfer !== 'multipart' || size === 0) {
        items.push({ oid, size, kind: 'upload', ticket, expiresAt });
        continue;
      }
      const plan = await this.direct.beginBlob(caller, resolved, { sha256: oid, size }, null);
      await this.db.query('UPDATE hub_lfs_objects SET direct_upload_id = $2 WHERE ticket = $1', [ticket, plan.id]);
      // The part URLs live minutes (DIRECT_UPLOAD_TTL_S); the ticket, to complete and verify, as long as a basic one.
      items.push({ oid, size, kind: 'multipart', ticket, expiresAt: plan.expiresAt, partSize: plan.partSize, parts: plan.parts });
    }
    return items;
  }

  /**
   * The bytes of one ticket. The ticket is the authority, like a presigned URL: 128 random bits handed by the batch
   * to an editor of the model, good for that one oid and size until it expires; an unknown or expired one is 404.
   * A second PUT of stored bytes (a client retrying) answers as the first.
   */
  async upload(ticket: string, body: Readable): Promise<void> {
    const row = await this.ticket(ticket);
    if (row.direct_upload_id !== null) {
      body.resume();
      throw new ConflictError('this object goes straight to the bucket in parts (multipart transfer): PUT each part to its URL, then POST their ETags here');
    }
    const { store } = await this.stores.forModel(row.model_id);
    if (row.stored_at !== null && (await store.has(row.oid))) {
      body.resume();
      return;
    }
    await this.direct.receiveForTicket(ticket, { label: `LFS object ${row.oid}`, size: Number(row.size), sha256: row.oid }, body, store);
  }

  /**
   * The multipart transfer's completion (the client POSTs `{ oid, parts: [{ partNumber, etag }] }` to the ticket URL,
   * without a token): the one direct-upload completion assembles, reads back and verifies the object, then the ticket
   * counts. A completed ticket asked again answers as the first time.
   */
  async complete(ticket: string, body: unknown): Promise<void> {
    const row = await this.ticket(ticket);
    if (row.direct_upload_id === null) throw new ConflictError('this object takes the basic transfer: PUT its bytes to this URL');
    const { oid, parts } = (typeof body === 'object' && body !== null ? body : {}) as { oid?: unknown; parts?: unknown };
    if (oid !== undefined && oid !== row.oid) throw new ValidationError('oid', `this upload is for LFS object ${row.oid}`);
    if (!Array.isArray(parts)) throw new ValidationError('parts', 'list every part sent: [{ "partNumber": 1, "etag": "…" }, …]');
    if (row.stored_at !== null) return;
    await this.direct.completeForTicket(ticket, row.direct_upload_id, parts as UploadedPart[]);
  }

  /** A live ticket (the authority of the LFS upload URLs); unknown or expired, 404. */
  private async ticket(ticket: string): Promise<TicketRow> {
    if (!TICKET.test(ticket)) throw new NotFoundError('LFS upload', ticket.slice(0, 64));
    const [row] = (await this.db.query('SELECT model_id, oid, size, stored_at, direct_upload_id FROM hub_lfs_objects WHERE ticket = $1 AND expires_at > now()', [ticket])) as TicketRow[];
    if (!row) throw new NotFoundError('LFS upload', ticket);
    return row;
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
