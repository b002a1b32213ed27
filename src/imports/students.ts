import { eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { imports, NOW, students } from "../db/schema";
import { createStudentBody } from "../students/schemas";
import type { ColumnIndex } from "./columns";
import type { ImportError } from "./responses";
import { type ChunkRow, errorsAppended, fieldsOf, rowErrors } from "./rows";

/** A row of a students file, checked by the API's own schema; the SIS id is required here. */
type StudentRow = { line: number; sis_id: string; name: string; email: string };

/** Checks each row as `POST /students` would, and that no SIS id or email repeats in the chunk. */
export function checkStudents(rows: ChunkRow[], columns: ColumnIndex) {
  const valid: StudentRow[] = [];
  const errors: ImportError[] = [];
  let refused = 0;
  const seen = { sis_id: new Map<string, number>(), email: new Map<string, number>() };
  for (const { line, fields } of rows) {
    const input = fieldsOf(fields, columns, ["sis_id", "name", "email"]);
    const parsed = createStudentBody().safeParse(input);
    if (!parsed.success) {
      errors.push(...rowErrors(line, parsed.error.issues));
      refused++;
      continue;
    }
    const { sis_id, name, email } = parsed.data;
    if (sis_id === undefined) {
      errors.push({ line, column: "sis_id", message: "is required" });
      refused++;
      continue;
    }
    const repeated = (["sis_id", "email"] as const).find((key) =>
      seen[key].has(parsed.data[key] ?? ""),
    );
    if (repeated) {
      const first = seen[repeated].get(parsed.data[repeated] ?? "");
      errors.push({ line, column: repeated, message: `repeats line ${first}` });
      refused++;
      continue;
    }
    seen.sis_id.set(sis_id, line);
    seen.email.set(email, line);
    valid.push({ line, sis_id, name, email });
  }
  return { valid, errors, refused };
}

/** The rows as a table SQLite reads from one JSON parameter (D1 binds at most 100 per statement). */
const rowsTable = (rows: StudentRow[]) =>
  sql`(SELECT json_extract(value, '$.line') AS line, json_extract(value, '$.sis_id') AS sis_id, json_extract(value, '$.name') AS name, json_extract(value, '$.email') AS email FROM json_each(${JSON.stringify(rows)}))`;

/** Another student (not the one with the row's SIS id) already has the row's email. */
const emailTaken = sql`EXISTS (SELECT 1 FROM students AS s WHERE s.email = r.email AND s.sis_id IS NOT r.sis_id)`;

/**
 * Applies checked student rows, and the chunk's progress and counts, in one batch (one
 * transaction): a step retried after a crash either finds none of it applied or all of it.
 * The counts are read before the upsert, from the same state it writes over: created (no
 * student has the SIS id), updated (one has, with another name or email), unchanged, and an
 * error for an email another student has. A dry run counts the same and writes no student.
 */
export async function applyStudents(
  db: Database,
  job: { id: number; dryRun: boolean },
  rows: StudentRow[],
  refused: { errors: ImportError[]; rows: number },
  progress: { from: number; to: number; lines: number; records: number },
) {
  const table = rowsTable(rows);
  const count = (condition: ReturnType<typeof sql>) =>
    sql`(SELECT count(*) FROM ${table} AS r WHERE ${condition})`;
  const existing = sql`(SELECT 1 FROM students AS s WHERE s.sis_id = r.sis_id)`;
  const same = sql`(SELECT 1 FROM students AS s WHERE s.sis_id = r.sis_id AND s.name = r.name AND s.email = r.email)`;
  const conflicts = sql`(SELECT json_object('line', r.line, 'column', 'email', 'message', 'is taken by another student') AS value, r.line AS line FROM ${table} AS r WHERE ${emailTaken})`;
  const record = db
    .update(imports)
    .set({
      bytes_processed: progress.to,
      lines_processed: sql`${imports.lines_processed} + ${progress.lines}`,
      rows_processed: sql`${imports.rows_processed} + ${progress.records}`,
      created: sql`${imports.created} + ${count(sql`NOT ${emailTaken} AND NOT EXISTS ${existing}`)}`,
      updated: sql`${imports.updated} + ${count(sql`NOT ${emailTaken} AND EXISTS ${existing} AND NOT EXISTS ${same}`)}`,
      unchanged: sql`${imports.unchanged} + ${count(sql`NOT ${emailTaken} AND EXISTS ${same}`)}`,
      error_count: sql`${imports.error_count} + ${refused.rows} + ${count(emailTaken)}`,
      errors: errorsAppended(refused.errors, conflicts),
    })
    .where(
      sql`${imports.id} = ${job.id} AND ${imports.bytes_processed} = ${progress.from} AND ${imports.state} = 'running'`,
    );
  // Last, the import's state: a cancel since the chunk began stops it.
  const state = db.select({ state: imports.state }).from(imports).where(eq(imports.id, job.id));
  if (job.dryRun || rows.length === 0) return stateOf(await db.batch([record, state]));
  // Every column in table order, as drizzle's INSERT … SELECT names them; the WHERE lets SQLite
  // read the ON CONFLICT as an upsert.
  const upsert = db
    .insert(students)
    .select(
      // changes() = 1: the update just before recorded this chunk, so a step retried after its
      // batch committed writes no student twice (a PATCH made since would be undone).
      sql`SELECT NULL, r.name, r.email, ${NOW}, 1, r.sis_id FROM ${table} AS r WHERE changes() = 1 AND NOT ${emailTaken}`,
    )
    .onConflictDoUpdate({
      target: students.sis_id,
      targetWhere: sql`sis_id IS NOT NULL`,
      set: {
        name: sql`excluded.name`,
        email: sql`excluded.email`,
        version: sql`${students.version} + 1`,
      },
      setWhere: sql`${students.name} IS NOT excluded.name OR ${students.email} IS NOT excluded.email`,
    });
  return stateOf(await db.batch([record, upsert, state]));
}

/** The import's state, read last in a chunk's batch. */
const stateOf = (results: unknown[]) => (results.at(-1) as { state: string }[])[0]?.state;
