import { NonRetryableError } from "cloudflare:workflows";
import { and, eq, sql } from "drizzle-orm";
import { promoteWaitingIn } from "../courses/queries";
import type { Database } from "../db/client";
import { importPairs, imports, NEXT_CHANGE_STAMP, NOW, studentCourses } from "../db/schema";
import type { ColumnIndex } from "./columns";
import { checkEnrollments } from "./enrollments";
import type { ChunkRow } from "./rows";

// A sync import of enrollments (docs/imports.md, "Sync"): a first pass gathers the pairs the
// file lists into import_pairs (migrations/0011); the count of what the sync would drop is
// then held to the import's max_drop_percent before any chunk applies; after the chunks, the
// enrollments of the file's courses that it does not list are dropped, a batch at a time,
// and the seats freed go to the heads of the lines.

/** How many enrollments one step drops. */
const DROPS_PER_STEP = 500;

/**
 * Records the pairs of a chunk's valid rows (again, harmlessly, when a step is retried). The
 * WHERE lets SQLite read the ON CONFLICT as an upsert.
 */
export async function gatherPairs(
  db: Database,
  importId: number,
  records: ChunkRow[],
  columns: ColumnIndex,
) {
  const { valid } = checkEnrollments(records, columns);
  if (valid.length === 0) return;
  await db
    .insert(importPairs)
    .select(
      sql`SELECT ${importId}, json_extract(value, '$.course_sis_id'), json_extract(value, '$.student_sis_id') FROM json_each(${JSON.stringify(valid)}) WHERE true`,
    )
    .onConflictDoNothing();
}

/** The active or waiting enrollments of the file's courses that the file does not list. */
const unlisted = (importId: number) =>
  sql`(SELECT e.student_id, e.course_id, e.waitlist_seq FROM student_courses AS e JOIN courses AS c ON c.id = e.course_id JOIN students AS s ON s.id = e.student_id WHERE e.status = 'active' AND c.sis_id IN (SELECT p.course_sis_id FROM import_pairs AS p WHERE p.import_id = ${importId}) AND NOT EXISTS (SELECT 1 FROM import_pairs AS p WHERE p.import_id = ${importId} AND p.course_sis_id = c.sis_id AND p.student_sis_id IS s.sis_id))`;

/**
 * Counts what the sync would drop against the enrollments of the file's courses, and fails
 * the import, before anything changes, when that is more than its max_drop_percent. Records
 * the file's row count; a dry run also records the count as dropped, since it drops nothing.
 */
export async function checkDrops(
  db: Database,
  job: { id: number; dryRun: boolean; maxDropPercent: number },
  rowsTotal: number,
) {
  const [counts] = await db.all<{ enrolled: number; dropping: number }>(
    sql`SELECT (SELECT count(*) FROM student_courses AS e JOIN courses AS c ON c.id = e.course_id WHERE e.status = 'active' AND c.sis_id IN (SELECT p.course_sis_id FROM import_pairs AS p WHERE p.import_id = ${job.id})) AS enrolled, (SELECT count(*) FROM ${unlisted(job.id)}) AS dropping`,
  );
  const { enrolled = 0, dropping = 0 } = counts ?? {};
  const over = dropping * 100 > job.maxDropPercent * enrolled;
  await db
    .update(imports)
    .set({
      rows_total: rowsTotal,
      // Set, not added: a retried step records the same (no chunk has applied yet).
      dropped: job.dryRun && !over ? dropping : 0,
    })
    .where(eq(imports.id, job.id));
  if (over) {
    const percent = Math.round((dropping * 1000) / enrolled) / 10;
    throw new NonRetryableError(
      `a sync would drop ${dropping} of the ${enrolled} enrollments of the file's courses (${percent}%), more than max_drop_percent (${job.maxDropPercent}%); nothing was changed`,
    );
  }
}

/**
 * Drops up to DROPS_PER_STEP of the enrollments the file does not list, counting them, and
 * gives the seats this frees to the heads of the file's courses' lines, in one batch; unless
 * the import was cancelled. Those waiting go first, so that no one the file does not list is
 * promoted before being dropped. Answers whether more remain, or null when cancelled.
 */
export async function dropUnlisted(db: Database, importId: number) {
  const [dropped, , , [state]] = await db.batch([
    db
      .update(studentCourses)
      .set({
        status: "dropped",
        dropped_at: NOW,
        updated_at: NEXT_CHANGE_STAMP,
        waitlist_seq: null,
      })
      .where(
        sql`(${studentCourses.student_id}, ${studentCourses.course_id}) IN (SELECT u.student_id, u.course_id FROM ${unlisted(importId)} AS u ORDER BY u.waitlist_seq IS NULL LIMIT ${DROPS_PER_STEP}) AND EXISTS (SELECT 1 FROM imports WHERE imports.id = ${importId} AND imports.state = 'running')`,
      )
      .returning({ course_id: studentCourses.course_id }),
    db
      .update(imports)
      .set({ dropped: sql`${imports.dropped} + changes()` })
      .where(and(eq(imports.id, importId), eq(imports.state, "running"))),
    promoteWaitingIn(
      db,
      sql`(SELECT c.id FROM courses AS c WHERE c.sis_id IN (SELECT p.course_sis_id FROM import_pairs AS p WHERE p.import_id = ${importId}))`,
    ),
    db.select({ state: imports.state }).from(imports).where(eq(imports.id, importId)),
  ]);
  if (state?.state !== "running") return null;
  return dropped.length === DROPS_PER_STEP;
}
