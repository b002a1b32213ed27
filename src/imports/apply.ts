import { eq, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { imports } from "../db/schema";
import type { ImportError } from "./responses";
import { errorsAppended } from "./rows";

/**
 * A chunk's checked rows, and how they meet the database: each condition reads a row of the
 * chunk as `r`, a record of the table as it was before the chunk.
 */
export type PreparedChunk = {
  /** How many rows the chunk writes (0: only its progress and errors are recorded). */
  rows: number;
  /** The rows as a table, from one JSON parameter (D1 binds at most 100 per statement). */
  table: SQL;
  /** A record already has the row's SIS id. */
  existing: SQL;
  /** That record already holds every value the row sets. */
  same: SQL;
  /** The row cannot apply: another record holds one of its unique values. */
  conflict: { when: SQL; column: string; message: string };
  /** The statements that write the rows, after the progress update (see RECORDED). */
  writes: (db: Database) => BatchItem<"sqlite">[];
  /** Rows refused before the batch: their count, and their errors. */
  refused: { rows: number; errors: ImportError[] };
};

/**
 * The first write of a chunk runs only when the progress update just before it applied, so a
 * step retried after its batch committed writes no row twice (a PATCH made since would be
 * undone). A condition on the rows the first write selects.
 */
export const RECORDED = sql`changes() = 1`;

/**
 * Applies a chunk's rows, and its progress and counts, in one batch (one transaction): a step
 * retried after a crash finds none of it applied or all of it. The counts are read before the
 * writes, from the same state they write over: created (no record has the SIS id), updated
 * (one has, with other values), unchanged, and an error for each conflict. A dry run counts
 * the same and writes no row. Answers the import's state after the chunk.
 */
export async function applyChunk(
  db: Database,
  job: { id: number; dryRun: boolean },
  chunk: PreparedChunk,
  progress: { from: number; to: number; lines: number; records: number },
) {
  const { table, existing, same, conflict, refused } = chunk;
  const count = (condition: SQL) => sql`(SELECT count(*) FROM ${table} AS r WHERE ${condition})`;
  const applies = sql`NOT ${conflict.when}`;
  const conflicts = sql`(SELECT json_object('line', r.line, 'column', ${conflict.column}, 'message', ${conflict.message}) AS value, r.line AS line FROM ${table} AS r WHERE ${conflict.when})`;
  const record = db
    .update(imports)
    .set({
      bytes_processed: progress.to,
      lines_processed: sql`${imports.lines_processed} + ${progress.lines}`,
      rows_processed: sql`${imports.rows_processed} + ${progress.records}`,
      created: sql`${imports.created} + ${count(sql`${applies} AND NOT EXISTS ${existing}`)}`,
      updated: sql`${imports.updated} + ${count(sql`${applies} AND EXISTS ${existing} AND NOT EXISTS ${same}`)}`,
      unchanged: sql`${imports.unchanged} + ${count(sql`${applies} AND EXISTS ${same}`)}`,
      error_count: sql`${imports.error_count} + ${refused.rows} + ${count(conflict.when)}`,
      errors: errorsAppended(refused.errors, conflicts),
    })
    .where(
      sql`${imports.id} = ${job.id} AND ${imports.bytes_processed} = ${progress.from} AND ${imports.state} = 'running'`,
    );
  // Last, the import's state: a cancel since the chunk began stops it.
  const state = db.select({ state: imports.state }).from(imports).where(eq(imports.id, job.id));
  const writes = job.dryRun || chunk.rows === 0 ? [] : chunk.writes(db);
  const results = await db.batch([record, ...writes, state]);
  return (results.at(-1) as { state: string }[])[0]?.state;
}
