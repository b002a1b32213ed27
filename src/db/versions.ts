import { and, type Column, eq, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "./client";
import type { courses, students } from "./schema";

// Optimistic concurrency for students and courses: each row has a version (its ETag), and
// an update names the versions it was made against. The check and the write are one
// conditional UPDATE, so of two updates made against one version, only the first can
// change the row; the second finds a newer version (unless the first changed nothing).

/** What If-Match allowed: undefined (no header), any version, or these. */
export type Versions = number[] | "any" | undefined;

const versionIn = (version: Column, versions: Versions): SQL | undefined =>
  Array.isArray(versions)
    ? sql`${version} IN (SELECT value FROM json_each(${JSON.stringify(versions)}))`
    : undefined;

/** One more when a value changes; the same when every value already is as sent. */
const nextVersion = (version: Column, changes: [Column, unknown][]): SQL =>
  sql`${version} + (${or(...changes.map(([column, value]) => sql`${column} IS NOT ${value}`))})`;

type VersionedTable = typeof students | typeof courses;
type UpdateOptions = {
  table: VersionedTable;
  /** The columns to answer with (the version is added). */
  columns: Record<string, Column>;
  id: number;
  /** Column name → new value. */
  changes: Record<string, string | number | null | undefined>;
  /** The unique columns a new value must not collide on, in the order a conflict is reported. */
  unique: Column[];
  versions: Versions;
  /**
   * Statements to run after the update in the same batch, whether or not it wrote (each must
   * be harmless then), the last a read of the row to answer with instead of the update's own.
   */
  andThen?: BatchItem[];
};
type BatchItem = Parameters<Database["batch"]>[0][number];
type Refusal =
  | { outcome: "not_found" | "precondition_failed" }
  | { outcome: "taken"; column: string };

/**
 * Applies `changes` (column name → new value) to row `id` of `table` when its version is one
 * of `versions` and no other row holds a new value of a `unique` column. One batch: the row
 * as found (to say why, when nothing was written), then the conditional UPDATE. On success,
 * the row after (the `columns` and its version) and the fields whose value changed.
 */
export async function updateVersioned<Row extends Record<string, unknown>>(
  db: Database,
  { table, columns, id, changes, unique, versions, andThen = [] }: UpdateOptions,
): Promise<
  | {
      outcome: "updated";
      row: Row & { version: number };
      changed: string[];
      /** The rows each of `andThen`'s statements answered, in order. */
      andThen: unknown[][];
    }
  | Refusal
> {
  // The table is one of two; drizzle's builders are typed for one table at a time.
  const t = table as typeof students;
  const set = Object.entries(changes).map(([name, value]): [Column, unknown] => [
    t[name as keyof typeof t] as Column,
    value,
  ]);
  // The name of the first unique column whose new value another row holds, or NULL.
  const collisions = unique
    .filter((column) => changes[column.name] != null)
    .map(
      (column) =>
        sql`WHEN EXISTS (SELECT 1 FROM ${t} AS other WHERE other.${sql.identifier(column.name)} = ${changes[column.name]} AND other.id <> ${id}) THEN ${column.name}`,
    );
  const taken = collisions.length > 0 ? sql`CASE ${sql.join(collisions, sql` `)} END` : sql`NULL`;
  const selection = { ...columns, version: t.version };
  const [found, updated, ...rest] = await db.batch([
    db
      .select({ ...selection, taken: sql<string | null>`${taken}` })
      .from(t)
      .where(eq(t.id, id)),
    db
      .update(t)
      .set({ ...changes, version: nextVersion(t.version, set) })
      .where(and(eq(t.id, id), versionIn(t.version, versions), sql`${taken} IS NULL`))
      .returning(selection),
    ...andThen,
  ]);
  const before = found[0] as
    | (Record<string, unknown> & { version: number; taken: string | null })
    | undefined;
  const reread = andThen.length > 0 ? (rest.at(-1) as unknown[] | undefined)?.[0] : undefined;
  const after = (updated[0] && (reread ?? updated[0])) as (Row & { version: number }) | undefined;
  if (after)
    return {
      outcome: "updated",
      andThen: rest as unknown[][],
      row: after,
      changed: Object.keys(changes).filter((field) => before?.[field] !== after[field]),
    };
  if (!before) return { outcome: "not_found" };
  if (Array.isArray(versions) && !versions.includes(before.version))
    return { outcome: "precondition_failed" };
  if (before.taken !== null) return { outcome: "taken", column: before.taken };
  throw new Error("An update found its row, its version and its value free, yet wrote nothing");
}

/**
 * Deletes row `id` of `table` when its version is one of `versions`. With versions to check,
 * one batch: the row's version as found (to tell a 404 from a 412), then the conditional
 * DELETE; otherwise the DELETE alone.
 */
export async function deleteVersioned(
  db: Database,
  table: VersionedTable,
  id: number,
  versions: Versions,
): Promise<"deleted" | "not_found" | "precondition_failed"> {
  const t = table as typeof students;
  const remove = db
    .delete(t)
    .where(and(eq(t.id, id), versionIn(t.version, versions)))
    .returning({ id: t.id });
  if (!Array.isArray(versions)) return (await remove).length > 0 ? "deleted" : "not_found";
  const [found, deleted] = await db.batch([
    db.select({ version: t.version }).from(t).where(eq(t.id, id)),
    remove,
  ]);
  return deleted.length > 0 ? "deleted" : found.length > 0 ? "precondition_failed" : "not_found";
}
