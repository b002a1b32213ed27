import { fillPlaceholders, type Query } from "drizzle-orm";
import type { Database } from "./client";

/** A drizzle query that can say its SQL and the type of the rows it answers. */
type Buildable = { toSQL(): Query; _: { result: unknown } };
type RowOf<Q extends Buildable> = Q["_"]["result"] extends (infer Row)[] ? Row : never;

/** A statement bound to its values, for D1 to run alone or in a batch; `row` types its rows. */
export type Bound<Row> = D1PreparedStatement & { readonly row?: Row };
type Rows<S> = { [K in keyof S]: S[K] extends Bound<infer Row> ? Row[] : never };

/**
 * A statement on the hot paths: drizzle builds its SQL once per isolate, the first time it
 * runs, and each request binds its values (named by `sql.placeholder`) on its own D1 session.
 * Building the SQL text on every request was a quarter of a read's CPU (docs/performance.md).
 * The rows are D1's own objects, keyed by the names of the columns selected, so a statement
 * selects no two columns of one name.
 */
export function builtOnce<Q extends Buildable>(build: (db: Database) => Q) {
  let query: Query | undefined;
  // drizzle types no placeholder's name: one missing from `values` throws, and tests catch it.
  return (db: Database, values: Record<string, unknown>): Bound<RowOf<Q>> => {
    query ??= build(db).toSQL();
    return db.$client.prepare(query.sql).bind(...fillPlaceholders(query.params, values));
  };
}

/** Runs one statement: its rows. */
export async function rows<Row>(statement: Bound<Row>): Promise<Row[]> {
  return (await statement.all<Row & Record<string, unknown>>()).results;
}

/** Runs statements in one D1 batch (one round trip, one transaction): the rows of each. */
export async function batchRows<const S extends readonly Bound<unknown>[]>(
  db: Database,
  statements: S,
): Promise<Rows<S>> {
  const results = await db.$client.batch([...statements]);
  return results.map((result) => result.results) as Rows<S>;
}
