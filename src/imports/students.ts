import { sql } from "drizzle-orm";
import * as z from "zod/mini";
import { NOW, students } from "../db/schema";
import { lazy } from "../lib/lazy";
import { sisIdSchema } from "../lib/sis-id";
import { createStudentBody } from "../students/schemas";
import { type PreparedChunk, RECORDED, upsertOutcomes } from "./apply";
import type { ColumnIndex } from "./columns";
import { type ChunkRow, checkRows, fieldsOf } from "./rows";

/** A row of a students file: a `POST /students` body whose SIS id is required. */
const studentRow = lazy(() => z.extend(createStudentBody(), { sis_id: sisIdSchema() }));

/** Checks each row as `POST /students` would; no SIS id or email may repeat in the chunk. */
const checkStudents = (records: ChunkRow[], columns: ColumnIndex) =>
  checkRows(
    records,
    ({ fields }) => studentRow().safeParse(fieldsOf(fields, columns, ["sis_id", "name", "email"])),
    [["sis_id"], ["email"]],
  );

/** A chunk of a students file, upserted by SIS id (see applyChunk). */
export function prepareStudents(records: ChunkRow[], columns: ColumnIndex): PreparedChunk {
  const { valid, errors, refused } = checkStudents(records, columns);
  const table = sql`(SELECT json_extract(value, '$.line') AS line, json_extract(value, '$.sis_id') AS sis_id, json_extract(value, '$.name') AS name, json_extract(value, '$.email') AS email FROM json_each(${JSON.stringify(valid)}))`;
  // Another student (not the one with the row's SIS id) already has the row's email.
  const emailTaken = sql`EXISTS (SELECT 1 FROM students AS s WHERE s.email = r.email AND s.sis_id IS NOT r.sis_id)`;
  return {
    rows: valid.length,
    table,
    outcomes: upsertOutcomes(
      sql`(SELECT 1 FROM students AS s WHERE s.sis_id = r.sis_id)`,
      sql`(SELECT 1 FROM students AS s WHERE s.sis_id = r.sis_id AND s.name = r.name AND s.email = r.email)`,
    ),
    conflicts: [{ when: emailTaken, column: "email", message: "is taken by another student" }],
    refused: { rows: refused, errors },
    keys: [
      { name: "sis_id", value: sql`r.sis_id` },
      { name: "email", value: sql`r.email` },
    ],
    writes: (db, fresh) => [
      // Every column in table order, as drizzle's INSERT … SELECT names them; the WHERE lets
      // SQLite read the ON CONFLICT as an upsert.
      db
        .insert(students)
        .select(
          sql`SELECT NULL, r.name, r.email, ${NOW}, 1, r.sis_id FROM ${table} AS r WHERE ${RECORDED} AND ${fresh} AND NOT ${emailTaken}`,
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
        }),
    ],
  };
}
