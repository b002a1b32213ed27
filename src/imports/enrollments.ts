import { type SQL, sql } from "drizzle-orm";
import * as z from "zod/mini";
import { promoteWaitingIn } from "../courses/queries";
import type { Database } from "../db/client";
import { NEXT_CHANGE_STAMP, NOW, studentCourses } from "../db/schema";
import { backOfLine, seatsTaken, waiting } from "../enrollments/seats";
import { lazy } from "../lib/lazy";
import { sisIdSchema } from "../lib/sis-id";
import { firstLineOf, type Key, type PreparedChunk, RECORDED } from "./apply";
import type { ColumnIndex } from "./columns";
import { type ChunkRow, checkRows, fieldsOf } from "./rows";

/** A row of an enrollments file: a student and a course by SIS id, and active (the default) or dropped. */
const enrollmentRow = lazy(() =>
  z.strictObject({
    student_sis_id: sisIdSchema(),
    course_sis_id: sisIdSchema(),
    status: z._default(z.enum(["active", "dropped"]), "active"),
  }),
);

/** Checks each row; no pair of a student and a course may repeat in the chunk. */
export function checkEnrollments(records: ChunkRow[], columns: ColumnIndex) {
  return checkRows(
    records,
    ({ fields }) => {
      const body = fieldsOf(fields, columns, ["student_sis_id", "course_sis_id", "status"]);
      // An empty status is the default, as an absent column is.
      if (body.status?.trim() === "") delete body.status;
      return enrollmentRow().safeParse(body);
    },
    [["student_sis_id", "course_sis_id"]],
  );
}

/**
 * The chunk's rows with what the database holds for them: the student's and the course's ids
 * (null: no such SIS id), the enrollment's status before (`was`), whether the row asks for a
 * place (active, and not enrolled or waiting yet), its rank among the chunk's rows asking for
 * a place in the same course (line order), and the course's free seats and room in line
 * (null: no limit) and the place after its line's last.
 */
function rowsTable(json: string, importId: number) {
  // A row repeating an earlier chunk's pair is refused: it takes no rank.
  const repeat = firstLineOf(importId, pairKey("j"));
  const needsPlace = sql`(s.id IS NOT NULL AND c.id IS NOT NULL AND j.status = 'active' AND (e.status IS NULL OR e.status = 'dropped') AND ${repeat} IS NULL)`;
  const course = sql`c.id`;
  return sql`(SELECT x.*, CASE WHEN x.needs_place THEN row_number() OVER (PARTITION BY x.course_id, x.needs_place ORDER BY x.line) END AS place FROM (
    SELECT j.line, j.status, j.student_sis_id, j.course_sis_id, s.id AS student_id, c.id AS course_id, e.status AS was, ${needsPlace} AS needs_place,
      CASE WHEN c.capacity IS NULL THEN NULL ELSE max(0, c.capacity - ${seatsTaken(course)}) END AS free_seats,
      CASE WHEN c.waitlist_capacity IS NULL THEN NULL ELSE max(0, c.waitlist_capacity - ${waiting(course)}) END AS line_room,
      ${backOfLine(course)} AS back
    FROM (SELECT json_extract(value, '$.line') AS line, json_extract(value, '$.student_sis_id') AS student_sis_id, json_extract(value, '$.course_sis_id') AS course_sis_id, json_extract(value, '$.status') AS status FROM json_each(${json})) AS j
    LEFT JOIN students AS s ON s.sis_id = j.student_sis_id
    LEFT JOIN courses AS c ON c.sis_id = j.course_sis_id
    LEFT JOIN student_courses AS e ON e.student_id = s.id AND e.course_id = c.id
  ) AS x)`;
}

/** A pair of student and course, the unique key of an enrollments file, in the rows aliased `alias`. */
const pairKey = (alias: "j" | "r"): Key => ({
  name: "course_sis_id",
  value: sql.raw(`${alias}.student_sis_id || char(31) || ${alias}.course_sis_id`),
});

/** A row asking for a place gets a seat: the course has no limit, or a free seat for its rank. */
const getsSeat = sql`(r.needs_place AND (r.free_seats IS NULL OR r.place <= r.free_seats))`;
/** … or a seat or a place in line. */
const getsPlace = sql`(r.needs_place AND (r.free_seats IS NULL OR r.line_room IS NULL OR r.place <= r.free_seats + r.line_room))`;
const drops = sql`(r.status = 'dropped' AND r.was IS 'active')`;

/**
 * A chunk of an enrollments file (see applyChunk), under the API's rules: an active row
 * enrolls the student as `POST /students/{id}/courses` does (a free seat, else the back of
 * the line, else the course is full: an error), in the file's order within the chunk; one
 * already enrolled or waiting is unchanged. A dropped row drops an active or waiting
 * enrollment as `DELETE` does, and the seats freed go to the heads of the lines, in the same
 * batch; one not enrolled is unchanged.
 */
export function prepareEnrollments(
  records: ChunkRow[],
  columns: ColumnIndex,
  importId: number,
): PreparedChunk {
  const { valid, errors, refused } = checkEnrollments(records, columns);
  const table = rowsTable(JSON.stringify(valid), importId);
  const full = sql`(r.needs_place AND NOT ${getsPlace})`;
  return {
    rows: valid.length,
    table,
    outcomes: {
      created: sql`r.needs_place AND r.was IS NULL`,
      updated: sql`r.needs_place AND r.was = 'dropped'`,
      dropped: drops,
      unchanged: sql`NOT r.needs_place AND NOT ${drops}`,
    },
    conflicts: [
      {
        when: sql`r.student_id IS NULL`,
        column: "student_sis_id",
        message: "no student has this SIS id",
      },
      {
        when: sql`r.course_id IS NULL`,
        column: "course_sis_id",
        message: "no course has this SIS id",
      },
      {
        when: full,
        column: "course_sis_id",
        message: "the course is full, and so is its waitlist",
      },
    ],
    refused: { rows: refused, errors },
    keys: [pairKey("r")],
    writes: (db, fresh) => [
      upsertEnrollments(db, table, full, fresh),
      promoteAfterDrops(db, table),
    ],
  };
}

/**
 * Enrolls (new, or a dropped enrollment re-activated: a seat, or the back of the line in rank
 * order) and drops, in one statement. SQLite reads the whole SELECT before the first write
 * (it reads the table it writes), so every row is placed by the state before the chunk, as
 * the counts were.
 */
const upsertEnrollments = (db: Database, table: SQL, full: SQL, fresh: SQL) =>
  db
    .insert(studentCourses)
    .select(
      sql`SELECT r.student_id, r.course_id, r.status, ${NOW}, ${NEXT_CHANGE_STAMP}, CASE WHEN r.status = 'dropped' THEN ${NOW} END, CASE WHEN r.needs_place AND NOT ${getsSeat} THEN r.back + r.place - r.free_seats - 1 END FROM ${table} AS r WHERE ${RECORDED} AND ${fresh} AND r.student_id IS NOT NULL AND r.course_id IS NOT NULL AND ((r.needs_place AND NOT ${full}) OR ${drops})`,
    )
    .onConflictDoUpdate({
      target: [studentCourses.student_id, studentCourses.course_id],
      set: {
        status: sql`excluded.status`,
        enrolled_at: sql`CASE WHEN excluded.status = 'active' THEN excluded.enrolled_at ELSE ${studentCourses.enrolled_at} END`,
        dropped_at: sql`excluded.dropped_at`,
        updated_at: sql`excluded.updated_at`,
        waitlist_seq: sql`excluded.waitlist_seq`,
      },
      setWhere: sql`(${studentCourses.status} = 'dropped') = (excluded.status = 'active')`,
    });

/** Gives the seats the chunk's drops freed to the heads of those courses' lines. */
const promoteAfterDrops = (db: Database, table: SQL) =>
  promoteWaitingIn(
    db,
    sql`(SELECT r.course_id FROM ${table} AS r WHERE r.status = 'dropped' AND r.course_id IS NOT NULL)`,
  );
