import type { Logger, QueryRunner } from 'typeorm';

/** A TypeORM logger that counts SQL round trips, to prove DataLoader batching. */
export class QueryCounter implements Logger {
  count = 0;
  readonly statements: string[] = [];

  reset(): void {
    this.count = 0;
    this.statements.length = 0;
  }

  logQuery(query: string, _parameters?: unknown[], _runner?: QueryRunner): void {
    // Transaction control statements are round trips too, but reads issue none.
    this.count += 1;
    this.statements.push(query);
  }

  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
