import type { DataSource, EntityTarget, ObjectLiteral, ValueTransformer } from 'typeorm';

/** Column types whose pg value is already what TypeORM's hydration would give (it converts none of them). */
const AS_PG_GIVES = new Set<unknown>([
  'text', 'uuid', 'integer', 'int', 'bigint', 'boolean', 'double precision', 'float8', 'jsonb', 'json', 'timestamptz', 'bytea',
]);

interface Shape {
  columns: { database: string; property: string }[];
  /** Columns with a transformer (bigints, jsonb with bigints): converted in place. */
  converted: { property: string; transformers: ValueTransformer[] }[];
}

/**
 * An entity's rows read as plain objects, without TypeORM's hydration (entity instances, per-column metadata walks):
 * the SELECT names each column by its property (`m."display_name" AS "displayName"`), so the object pg builds is
 * already the record, and only columns with a transformer (bigints, jsonb with bigints) are converted, in place.
 * The same columns as the entity reads (`select: false` ones left out), so every field resolver finds what it did.
 * Built from the entity's metadata; a column of a type hydration would convert is refused when the shape is made.
 */
export class PlainRows<T> {
  private readonly selects = new Map<string, string>();
  private shape: Shape | null = null;

  /** The metadata is read on first use: services are made before their DataSource is initialized. */
  constructor(
    private readonly db: DataSource,
    private readonly entity: EntityTarget<ObjectLiteral>,
  ) {}

  private columns(): Shape {
    if (this.shape) return this.shape;
    const metadata = this.db.getMetadata(this.entity);
    const shape: Shape = { columns: [], converted: [] };
    for (const column of metadata.columns) {
      if (!column.isSelect || column.isVirtual) continue;
      if (column.embeddedMetadata || column.relationMetadata || column.propertyPath !== column.propertyName) {
        throw new Error(`PlainRows: ${metadata.name}.${column.propertyPath} is not a plain column`);
      }
      if (!AS_PG_GIVES.has(column.type)) throw new Error(`PlainRows: ${metadata.name}.${column.propertyName} has type ${String(column.type)}, which hydration converts`);
      shape.columns.push({ database: column.databaseName, property: column.propertyName });
      const transformers = column.transformer ? [column.transformer].flat() : [];
      if (transformers.length) shape.converted.push({ property: column.propertyName, transformers });
    }
    this.shape = shape;
    return shape;
  }

  /** The select list over `alias` (an identifier of ours, never input). */
  select(alias: string): string {
    let list = this.selects.get(alias);
    if (!list) {
      list = this.columns().columns.map((c) => `${alias}."${c.database}" AS "${c.property}"`).join(', ');
      this.selects.set(alias, list);
    }
    return list;
  }

  /** pg's rows of a query selecting `select(…)`, as records (the same objects, converted in place). */
  read(rows: Record<string, unknown>[]): T[] {
    const { converted } = this.columns();
    if (converted.length) {
      for (const row of rows) {
        for (const { property, transformers } of converted) {
          let value = row[property];
          // TypeORM applies "from" transformers last to first.
          for (let i = transformers.length - 1; i >= 0; i--) value = transformers[i].from(value);
          row[property] = value;
        }
      }
    }
    return rows as T[];
  }
}
