import { createDataSource } from '../../src/persistence/data-source';
import { ensureDatabase } from '../../src/persistence/embedded-postgres';

/**
 * A database of its own beside the run's (`<run database>_<suffix>`), migrated or left empty, for a test whose
 * work sees every row of its database (a schedule, a backup, replicas started before the schema exists).
 */
export async function ownDatabase(suffix: string, migrate = true): Promise<string> {
  const url = new URL(process.env.TEST_DATABASE_URL as string);
  const name = `${url.pathname.slice(1)}_${suffix}`.slice(0, 63);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  await ensureDatabase(admin.toString(), name);
  url.pathname = `/${name}`;
  if (migrate) {
    const dataSource = createDataSource({ url: url.toString() });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.destroy();
  }
  return url.toString();
}
