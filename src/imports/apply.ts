import { eq, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { importKeys, importPairs, imports } from "../db/schema";
import type { ImportError } from "./responses";
import { errorsAppended } from "./rows";

/** A reason a checked row cannot apply, found in the database: a SQL condition on `r`. */
export type Conflict = { when: SQL; column: string; message: string | SQL };

/** A unique column of a kind of file: its name, and its value (SQL on `r`) in a row. */
export type Key = { name: string; value: SQL };

/**
 * A chunk's checked rows, and how they meet the database: each condition reads a row of the
 * chunk as `r`, in the database as it was before the chunk.
 */
export type PreparedChunk = {
  /** How many rows the chunk writes (0: only its progress and errors are recorded). */
  rows: number;
  /** The rows as a table, from one JSON parameter (D1 binds at most 100 per statement). */
  table: SQL;
  /** What applying a row does; each row that applies meets exactly one of them. */
  outcomes: { created: SQL; updated: SQL; unchanged: SQL; dropped?: SQL };
  /** Why a row cannot apply; a row that meets any is one error, listed under the first. */
  conflicts: [Conflict, ...Conflict[]];
  /** The columns whose values no two rows of the file may share (the later line is the error). */
  keys: Key[];
  /**
   * The statements that write the rows, after the progress update (see RECORDED); `fresh`
   * holds for the rows that repeat no key of an earlier chunk, the only ones to write.
   */
  writes: (db: Database, fresh: SQL) => BatchItem<"sqlite">[];
  /** Rows refused before the batch: their count, and their errors. */
  refused: { rows: number; errors: ImportError[] };
};

/** The outcomes of an upsert by SIS id: `existing` finds the row's record, `same` finds it unchanged. */
export const upsertOutcomes = (existing: SQL, same: SQL) => ({
  created: sql`NOT EXISTS ${existing}`,
  updated: sql`EXISTS ${existing} AND NOT EXISTS ${same}`,
  unchanged: sql`EXISTS ${same}`,
});

/**
 * The first write of a chunk runs only when the progress update just before it applied, so a
 * step retried after its batch committed writes no row twice (a PATCH made since would be
 * undone). A condition on the rows the first write selects.
 */
export const RECORDED = sql`changes() = 1`;

/**
 * Applies a chunk's rows, and its progress and counts, in one batch (one transaction): a step
 * retried after a crash finds none of it applied or all of it. The counts are read before the
 * writes, from the same state they write over: each row's outcome (created, updated,
 * unchanged, dropped), or an error for its first conflict. A dry run counts the same and
 * writes no row. Answers the import's state after the chunk.
 */
export async function applyChunk(
  db: Database,
  job: { id: number; dryRun: boolean },
  chunk: PreparedChunk,
  progress: { from: number; to: number; lines: number; records: number },
) {
  const { table, outcomes, refused } = chunk;
  // A key an earlier chunk had (this chunk's own repeats were refused before the batch).
  const repeats = chunk.keys.map((key) => ({
    when: sql`${firstLineOf(job.id, key)} IS NOT NULL`,
    column: key.name,
    message: sql`'repeats line ' || ${firstLineOf(job.id, key)}`,
  }));
  const conflicts = [...repeats, ...chunk.conflicts];
  const fresh = sql.join([sql`1`, ...repeats.map(({ when }) => sql`NOT ${when}`)], sql` AND `);
  const count = (condition: SQL) => sql`(SELECT count(*) FROM ${table} AS r WHERE ${condition})`;
  const refusedHere = sql.join(
    conflicts.map(({ when }) => sql`(${when})`),
    sql` OR `,
  );
  const applies = sql`NOT (${refusedHere})`;
  const outcome = (condition: SQL | undefined) =>
    condition ? count(sql`${applies} AND ${condition}`) : sql`0`;
  // Each refused row once, with the message of the first conflict it meets.
  const found = sql`(SELECT json_object('line', r.line, 'column', ${conflictOf(conflicts, "column")}, 'message', ${conflictOf(conflicts, "message")}) AS value, r.line AS line FROM ${table} AS r WHERE ${refusedHere})`;
  const record = db
    .update(imports)
    .set({
      bytes_processed: progress.to,
      lines_processed: sql`${imports.lines_processed} + ${progress.lines}`,
      rows_processed: sql`${imports.rows_processed} + ${progress.records}`,
      created: sql`${imports.created} + ${outcome(outcomes.created)}`,
      updated: sql`${imports.updated} + ${outcome(outcomes.updated)}`,
      unchanged: sql`${imports.unchanged} + ${outcome(outcomes.unchanged)}`,
      dropped: sql`${imports.dropped} + ${outcome(outcomes.dropped)}`,
      error_count: sql`${imports.error_count} + ${refused.rows} + ${count(refusedHere)}`,
      errors: errorsAppended(refused.errors, found),
    })
    .where(
      sql`${imports.id} = ${job.id} AND ${imports.bytes_processed} = ${progress.from} AND ${imports.state} = 'running'`,
    );
  // Last, the import's state: a cancel since the chunk began stops it.
  const state = db.select({ state: imports.state }).from(imports).where(eq(imports.id, job.id));
  const writes = job.dryRun || chunk.rows === 0 ? [] : chunk.writes(db, fresh);
  // The chunk's keys, for the chunks after it (a dry run's too: it reports repeats alike).
  const remember = db
    .insert(importKeys)
    .select(
      sql`${sql.join(
        chunk.keys.map(
          (key) =>
            sql`SELECT ${job.id}, ${key.name}, ${key.value}, r.line FROM ${table} AS r WHERE true`,
        ),
        sql` UNION ALL `,
      )}`,
    )
    .onConflictDoNothing();
  const results = await db.batch([record, ...writes, remember, state]);
  return (results.at(-1) as { state: string }[])[0]?.state;
}

/** The column or message of the first conflict a row meets, as a SQL CASE. */
const conflictOf = (conflicts: Conflict[], key: "column" | "message") =>
  sql`CASE ${sql.join(
    conflicts.map((c) => sql`WHEN ${c.when} THEN ${c[key]}`),
    sql` `,
  )} END`;

/** The line where an earlier chunk of the import had the row's value of `key`, or NULL. */
export const firstLineOf = (importId: number, key: Key) =>
  sql`(SELECT k.line FROM import_keys AS k WHERE k.import_id = ${importId} AND k.name = ${key.name} AND k.value = ${key.value})`;

/** Once an import has ended, what it remembered of its file (migrations/0011) is let go. */
export const forgetFile = (db: Database, importId: number) =>
  [
    db.delete(importKeys).where(eq(importKeys.import_id, importId)),
    db.delete(importPairs).where(eq(importPairs.import_id, importId)),
  ] as const;
