import { and, eq, getTableColumns, gt, is, notExists, SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";
import { idempotencyKeys, NOW } from "./schema";

/** A create's Idempotency-Key, scoped to the caller's token, and a fingerprint of the request. */
export type Idempotency = { scope: string; key: string; fingerprint: string };

/**
 * How a create went: a record created, or nothing as a unique value (email, course code, SIS
 * id) was taken, `column` saying whose; `replayed` when that is the answer the first request
 * with this key got (within 24 hours), and nothing happened now. Or the key was used for a
 * different request.
 */
export type Creation<T> =
  | { outcome: "created"; row: T; replayed: boolean }
  | { outcome: "taken"; column: string; replayed: boolean }
  | { outcome: "key_reused" };

const KEPT_MS = 24 * 60 * 60 * 1000;

/**
 * Keys created after this time are kept. Computed once and bound: SQLite's 'now' moves from
 * one statement of a batch to the next, and all must agree whether a key is live.
 */
export const keptSince = () => new Date(Date.now() - KEPT_MS).toISOString();

const liveKey = ({ scope, key }: Idempotency, since: string) =>
  and(
    eq(idempotencyKeys.scope, scope),
    eq(idempotencyKeys.key, key),
    gt(idempotencyKeys.created_at, since),
  );

type Columns<T> = { [K in keyof T]: SQLiteColumn };

type CreateOptions<T> = {
  table: SQLiteTable & { id: SQLiteColumn };
  /** Column name → value; columns left out take their defaults. */
  values: Record<string, unknown>;
  /** The columns to answer with. */
  returning: Columns<T>;
  /** The unique columns whose conflict means "taken", in the order a conflict is reported. */
  unique: SQLiteColumn[];
  idempotency: Idempotency | undefined;
};

/**
 * Inserts a record into `table` (with `returning`'s columns back), unless a value of a
 * `unique` column is taken. With an Idempotency-Key, in one batch (one round trip, one
 * transaction): the key as held before, then the insert, made only when the key is not held,
 * then the outcome stored under the key (the new record, or which value was taken), again
 * only when the key is not held. So a retry, even one racing the first request, gets the
 * first answer instead of a second record.
 */
export async function createOnce<T>(
  db: Database,
  { table, values, returning, unique, idempotency }: CreateOptions<T>,
): Promise<Creation<T>> {
  const given = unique.filter((column) => values[column.name] != null);
  const taken = takenColumn(table, given, values);
  // One unique value: its index alone is checked for the conflict (a row read less).
  const conflictTarget = given.length === 1 ? { target: given } : {};
  // With one unique value, a conflict can only be on it; with more, ask which, in the same
  // batch: changes() = 0 says the insert wrote nothing, and only then are values looked up.
  // (From a one-row subquery: drizzle cannot batch a raw statement with parameters.)
  const whichTaken =
    given.length > 1
      ? [
          db
            .select({ column: sql<string | null>`case when changes() = 0 then ${taken} end` })
            .from(sql`(select 1)`),
        ]
      : [];
  const conflictOf = ([answer]: unknown[]) =>
    (given.length > 1 ? (answer as { column: string | null }[])[0]?.column : given[0]?.name) ?? "";
  if (!idempotency) {
    const insert = db
      .insert(table)
      .values(values)
      .onConflictDoNothing(conflictTarget)
      .returning(returning);
    const [[row], ...asked] = (await db.batch([insert, ...whichTaken])) as [T[], ...unknown[]];
    return row
      ? { outcome: "created", row, replayed: false }
      : { outcome: "taken", column: conflictOf(asked), replayed: false };
  }
  const { scope, key, fingerprint } = idempotency;
  const since = keptSince();
  const notHeld = notExists(
    db.select({ held: sql`1` }).from(idempotencyKeys).where(liveKey(idempotency, since)),
  );
  // changes() = 1 only when the insert just before made a row (last_insert_rowid() may be older).
  const createdRow = sql`(select ${jsonObject(returning)} from ${table} where ${table.id} = last_insert_rowid() and changes() = 1)`;
  // Each INSERT … SELECT has a WHERE, which SQLite needs to read the ON CONFLICT after it as
  // an upsert rather than as part of the SELECT.
  const [held, inserted, ...asked] = (await db.batch([
    db
      .select({ fingerprint: idempotencyKeys.fingerprint, created: idempotencyKeys.created })
      .from(idempotencyKeys)
      .where(liveKey(idempotency, since)),
    db
      .insert(table)
      .select(sql`select ${rowOf(table, values)} where ${notHeld}`)
      .onConflictDoNothing(conflictTarget)
      .returning(returning),
    ...whichTaken,
    db
      .insert(idempotencyKeys)
      .select(
        sql`select ${scope}, ${key}, ${fingerprint}, coalesce(${createdRow}, json_object('taken', ${taken})), ${NOW} where ${notHeld}`,
      )
      // An expired key that the hourly clean-up has not deleted yet is taken over.
      .onConflictDoUpdate({
        target: [idempotencyKeys.scope, idempotencyKeys.key],
        set: {
          fingerprint: sql`excluded.fingerprint`,
          created: sql`excluded.created`,
          created_at: sql`excluded.created_at`,
        },
      }),
  ])) as [{ fingerprint: string; created: string | null }[], T[], ...unknown[]];
  const [first] = held;
  if (first) {
    if (first.fingerprint !== fingerprint) return { outcome: "key_reused" };
    return { ...storedOutcome(returning, unique, first.created), replayed: true };
  }
  const [row] = inserted;
  return row
    ? { outcome: "created", row, replayed: false }
    : { outcome: "taken", column: conflictOf(asked), replayed: false };
}

/**
 * The SQL name of the first of `given` (unique columns) whose value in `values` a row of
 * `table` holds, or NULL. With one column, that column's name: the caller knows it conflicted.
 */
function takenColumn(table: SQLiteTable, given: SQLiteColumn[], values: Record<string, unknown>) {
  if (given.length <= 1) return sql`${given[0]?.name ?? null}`;
  const cases = given.map(
    (column) =>
      sql`when exists (select 1 from ${table} where ${column} = ${sql.param(values[column.name], column)}) then ${column.name}`,
  );
  return sql`case ${sql.join(cases, sql` `)} end`;
}

/**
 * The outcome a key holds: the record created, or the unique column whose value was taken.
 * NULL is a conflict stored before keys named the column; the first unique column was the
 * only one then.
 */
function storedOutcome<T>(
  returning: Columns<T>,
  unique: SQLiteColumn[],
  created: string | null,
): { outcome: "created"; row: T } | { outcome: "taken"; column: string } {
  if (created === null) return { outcome: "taken", column: unique[0]?.name ?? "" };
  const stored = JSON.parse(created) as Record<string, unknown>;
  return "taken" in stored
    ? { outcome: "taken", column: String(stored.taken ?? unique[0]?.name ?? "") }
    : { outcome: "created", row: fromJsonObject(returning, stored) };
}

/**
 * One row for `insert(table).select(...)`, which names every insertable column in table
 * order (generated ones aside): each column's value from `values`, else its default, as
 * drizzle's own VALUES does.
 */
function rowOf(table: SQLiteTable, values: Record<string, unknown>): SQL {
  const columns = Object.entries(getTableColumns(table)).filter(
    ([, column]) => column.generated === undefined,
  );
  return sql.join(
    columns.map(([name, column]) => {
      const value = values[name] ?? column.default ?? column.defaultFn?.();
      if (value === undefined) return sql`null`;
      return is(value, SQL) ? value : sql.param(value, column);
    }),
    sql`, `,
  );
}

/** The columns as one JSON object, with the same keys and order as a `returning` of them. */
const jsonObject = (columns: Record<string, SQLiteColumn>) =>
  sql`json_object(${sql.join(
    Object.entries(columns).map(([name, column]) => sql`${name}, ${column}`),
    sql`, `,
  )})`;

/** A row stored by jsonObject, each value read by its column as drizzle reads a returned row. */
function fromJsonObject<T>(columns: Columns<T>, stored: Record<string, unknown>): T {
  return Object.fromEntries(
    Object.entries<SQLiteColumn>(columns).map(([name, column]) => [
      name,
      // A record stored before a column existed (sis_id) has none: null, as the column's default.
      column.mapFromDriverValue(stored[name] ?? null),
    ]),
  ) as T;
}
