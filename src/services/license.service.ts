import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { NotFoundError, ValidationError } from '../domain/common/domain-error';
import type { LicenseRecord } from '../domain/catalog/catalog-records';
import { LicenseEntity } from '../persistence/entities/license.entity';

export class LicenseService {
  constructor(private readonly db: DataSource) {}

  list(): Promise<LicenseRecord[]> {
    return this.db.getRepository(LicenseEntity).find({ order: { id: 'ASC' } });
  }

  async get(id: string): Promise<LicenseRecord> {
    const found = await this.findCaseInsensitive(this.db.manager, id);
    if (!found) throw new NotFoundError('License', id);
    return found;
  }

  async byIds(ids: readonly string[]): Promise<LicenseRecord[]> {
    return this.db.getRepository(LicenseEntity).findBy({ id: In([...ids]) });
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
