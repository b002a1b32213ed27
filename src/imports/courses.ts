import { type SQL, sql } from "drizzle-orm";
import * as z from "zod/mini";
import { promoteWaitingIn } from "../courses/queries";
import { createCourseBody } from "../courses/schemas";
import { courses, NOW } from "../db/schema";
import { lazy } from "../lib/lazy";
import { sisIdSchema } from "../lib/sis-id";
import { type PreparedChunk, RECORDED, upsertOutcomes } from "./apply";
import type { ColumnIndex } from "./columns";
import { type ChunkRow, checkRows, fieldsOf } from "./rows";

const LIMITS = ["capacity", "waitlist_capacity"] as const;

/** A limit as a CSV field writes it: empty for none (null), digits for a number. */
const limitOf = (field: string) => {
  const trimmed = field.trim();
  if (trimmed === "") return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : field;
};

/** The row as `POST /courses` takes its body, the limits read as limitOf says. */
function courseBody(fields: string[], columns: ColumnIndex) {
  const body: Record<string, unknown> = fieldsOf(fields, columns, [
    "sis_id",
    "code",
    "title",
    ...LIMITS,
  ]);
  for (const limit of LIMITS) {
    const field = body[limit];
    if (typeof field === "string") body[limit] = limitOf(field);
  }
  return body;
}

/** A row of a courses file: a `POST /courses` body whose SIS id is required. */
const courseRow = lazy(() => z.extend(createCourseBody(), { sis_id: sisIdSchema() }));

/** Checks each row as `POST /courses` would; no SIS id or code may repeat in the chunk. */
const checkCourses = (records: ChunkRow[], columns: ColumnIndex) =>
  checkRows(records, ({ fields }) => courseRow().safeParse(courseBody(fields, columns)), [
    ["sis_id"],
    ["code"],
  ]);

/**
 * A chunk of a courses file, upserted by SIS id (see applyChunk). A limit column the file
 * does not have leaves each course's limit as it is (a new course has none); a capacity
 * raised gives the freed seats to the heads of the course's line, as `PATCH` does.
 */
export function prepareCourses(records: ChunkRow[], columns: ColumnIndex): PreparedChunk {
  const { valid, errors, refused } = checkCourses(records, columns);
  const limits = LIMITS.filter((limit) => limit in columns);
  const table = sql`(SELECT json_extract(value, '$.line') AS line, json_extract(value, '$.sis_id') AS sis_id, json_extract(value, '$.code') AS code, json_extract(value, '$.title') AS title, json_extract(value, '$.capacity') AS capacity, json_extract(value, '$.waitlist_capacity') AS waitlist_capacity FROM json_each(${JSON.stringify(valid)}))`;
  const sameLimits = sql.join(
    limits.map((limit) => sql` AND c.${sql.identifier(limit)} IS r.${sql.identifier(limit)}`),
  );
  // Another course (not the one with the row's SIS id) already has the row's code.
  const codeTaken = sql`EXISTS (SELECT 1 FROM courses AS c WHERE c.code = r.code AND c.sis_id IS NOT r.sis_id)`;
  const given = (limit: (typeof LIMITS)[number]): SQL =>
    limits.includes(limit) ? sql`r.${sql.identifier(limit)}` : sql`NULL`;
  const changed = sql.join(
    [
      sql`${courses.code} IS NOT excluded.code OR ${courses.title} IS NOT excluded.title`,
      ...limits.map((limit) => sql`${courses[limit]} IS NOT excluded.${sql.identifier(limit)}`),
    ],
    sql` OR `,
  );
  return {
    rows: valid.length,
    table,
    outcomes: upsertOutcomes(
      sql`(SELECT 1 FROM courses AS c WHERE c.sis_id = r.sis_id)`,
      sql`(SELECT 1 FROM courses AS c WHERE c.sis_id = r.sis_id AND c.code = r.code AND c.title = r.title${sameLimits})`,
    ),
    conflicts: [{ when: codeTaken, column: "code", message: "is taken by another course" }],
    refused: { rows: refused, errors },
    keys: [
      { name: "sis_id", value: sql`r.sis_id` },
      { name: "code", value: sql`r.code` },
    ],
    writes: (db, fresh) => [
      // Every column in table order, as drizzle's INSERT … SELECT names them; the WHERE lets
      // SQLite read the ON CONFLICT as an upsert.
      db
        .insert(courses)
        .select(
          sql`SELECT NULL, r.code, r.title, ${NOW}, 1, ${given("capacity")}, ${given("waitlist_capacity")}, r.sis_id FROM ${table} AS r WHERE ${RECORDED} AND ${fresh} AND NOT ${codeTaken}`,
        )
        .onConflictDoUpdate({
          target: courses.sis_id,
          targetWhere: sql`sis_id IS NOT NULL`,
          set: {
            code: sql`excluded.code`,
            title: sql`excluded.title`,
            ...Object.fromEntries(
              limits.map((limit) => [limit, sql`excluded.${sql.identifier(limit)}`]),
            ),
            version: sql`${courses.version} + 1`,
          },
          setWhere: changed,
        }),
      ...(limits.includes("capacity")
        ? [
            promoteWaitingIn(
              db,
              sql`(SELECT c.id FROM courses AS c WHERE c.sis_id IN (SELECT sis_id FROM ${table}))`,
            ),
          ]
        : []),
    ],
  };
}
