import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError, ValidationError } from '../domain/common/domain-error';
import type { LicenseRecord } from '../domain/catalog/catalog-records';
import { LicenseEntity } from '../persistence/entities/license.entity';
import { PlainRows } from '../persistence/plain-rows';

export class LicenseService {
  private readonly rows: PlainRows<LicenseRecord>;

  constructor(private readonly db: DataSource) {
    this.rows = new PlainRows(db, LicenseEntity);
  }

  list(): Promise<LicenseRecord[]> {
    return this.db.getRepository(LicenseEntity).find({ order: { id: 'ASC' } });
  }

  async get(id: string): Promise<LicenseRecord> {
    const found = await this.findCaseInsensitive(this.db.manager, id);
    if (!found) throw new NotFoundError('License', id);
    return found;
  }

  /** DataLoader batches: plain rows, no entity hydration. */
  async byIds(ids: readonly string[]): Promise<LicenseRecord[]> {
    if (ids.length === 0) return [];
    return this.rows.read(await this.db.query(`SELECT ${this.rows.select('l')} FROM licenses l WHERE l.id = ANY($1)`, [[...ids]]));
  }

  /**
   * Resolves a license named in user input to its catalog entry (SPDX ids are case-insensitive),
   * or rejects the named field: an unknown license is a mistake in the input, not a missing page.
   */
  async requireForInput(manager: EntityManager, id: string, field = 'license'): Promise<LicenseRecord> {
    const found = await this.findCaseInsensitive(manager, id);
    if (!found) throw new ValidationError(field, `unknown license "${id}"; query licenses for the catalog`);
    return found;
  }

  private findCaseInsensitive(manager: EntityManager, id: string): Promise<LicenseEntity | null> {
    return manager
      .getRepository(LicenseEntity)
      .createQueryBuilder('l')
      .where('lower(l.id) = lower(:id)', { id })
      .getOne();
  }
}
