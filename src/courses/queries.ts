import { and, asc, eq, gt, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { createOnce, type Idempotency } from "../db/idempotency";
import { courses, NEXT_CHANGE_STAMP, NOW, studentCourses } from "../db/schema";
import { deleteVersioned, updateVersioned, type Versions } from "../db/versions";
import { seatsTaken, waiting } from "../enrollments/seats";
import type { Course } from "./responses";
import type { CourseChanges, NewCourse } from "./schemas";

/** The columns a course is stored with; the version travels in the ETag. */
const storedColumns = {
  id: courses.id,
  code: courses.code,
  title: courses.title,
  sis_id: courses.sis_id,
  created_at: courses.created_at,
  capacity: courses.capacity,
  waitlist_capacity: courses.waitlist_capacity,
};
const withVersion = { ...storedColumns, version: courses.version };
/** And its seats taken and its line, counted along the indexes of migrations/0007. */
const withCounts = {
  ...withVersion,
  enrolled_count: sql<number>`${seatsTaken(courses.id)}`.as("enrolled_count"),
  waitlisted_count: sql<number>`${waiting(courses.id)}`.as("waitlisted_count"),
};

type CountedCourse = Omit<Course, "seats_available">;
export type VersionedCourse = Course & { version: number };

/** The course as the API shows it, with its free seats (null: unlimited). */
const withSeats = <Row extends CountedCourse>(row: Row): Row & Pick<Course, "seats_available"> => ({
  ...row,
  seats_available: row.capacity === null ? null : Math.max(0, row.capacity - row.enrolled_count),
});

/** Inserts the course unless its code or SIS id is taken; with an Idempotency-Key, once per key (see createOnce). */
export async function insertCourse(db: Database, input: NewCourse, idempotency?: Idempotency) {
  const creation = await createOnce<
    Omit<VersionedCourse, "enrolled_count" | "waitlisted_count" | "seats_available">
  >(db, {
    table: courses,
    values: input,
    returning: withVersion,
    unique: [courses.code, courses.sis_id],
    idempotency,
  });
  if (creation.outcome !== "created") return creation;
  // A new course has nobody in it yet.
  const row = withSeats({ ...creation.row, enrolled_count: 0, waitlisted_count: 0 });
  return { ...creation, row };
}

export async function findCourse(db: Database, id: number): Promise<VersionedCourse | undefined> {
  const row = await db.select(withCounts).from(courses).where(eq(courses.id, id)).get();
  return row && withSeats(row);
}

/**
 * Gives free seats to the heads of the course's line, as many as are free, in order: run in
 * the batch of an update, right after it, so a capacity raised fills from the line at once.
 * Only after an update that wrote (`changes()`), so a refused one writes nothing.
 */
const promoteWaiting = (db: Database, id: number) =>
  db
    .update(studentCourses)
    .set({ waitlist_seq: null, enrolled_at: NOW, updated_at: NEXT_CHANGE_STAMP })
    .where(
      and(
        sql`changes() = 1`,
        eq(studentCourses.course_id, id),
        sql`${studentCourses.waitlist_seq} IN (SELECT line.waitlist_seq FROM student_courses AS line WHERE line.course_id = ${id} AND line.waitlist_seq IS NOT NULL ORDER BY line.waitlist_seq LIMIT coalesce((SELECT CASE WHEN ${courses.capacity} IS NULL THEN -1 ELSE max(0, ${courses.capacity} - ${seatsTaken(courses.id)}) END FROM ${courses} WHERE ${courses.id} = ${id}), 0))`,
      ),
    )
    .returning({ student_id: studentCourses.student_id });

/**
 * The same for several courses at once (`ids`: a SQL list of course ids), as an import that
 * sets capacities does: each course's line, ranked in its order, fills the course's free seats.
 * PATCH keeps the one-course form: its LIMIT reads only the heads it promotes (19 rows in the
 * rows budget's case), where ranking the whole line read 32.
 */
export const promoteWaitingIn = (db: Database, ids: SQL) =>
  db
    .update(studentCourses)
    .set({ waitlist_seq: null, enrolled_at: NOW, updated_at: NEXT_CHANGE_STAMP })
    .where(
      sql`(${studentCourses.course_id}, ${studentCourses.waitlist_seq}) IN (SELECT line.course_id, line.waitlist_seq FROM (SELECT l.course_id, l.waitlist_seq, row_number() OVER (PARTITION BY l.course_id ORDER BY l.waitlist_seq) AS place FROM student_courses AS l WHERE l.course_id IN ${ids} AND l.waitlist_seq IS NOT NULL) AS line JOIN courses AS c ON c.id = line.course_id WHERE c.capacity IS NULL OR line.place <= c.capacity - ${seatsTaken(sql`c.id`)})`,
    );

/** Applies `changes` to the course if `versions` allows (see updateVersioned); a new code or SIS id must be free. */
export async function updateCourse(
  db: Database,
  id: number,
  changes: CourseChanges,
  versions: Versions,
) {
  const result = await updateVersioned<CountedCourse>(db, {
    table: courses,
    columns: storedColumns,
    id,
    changes,
    unique: [courses.code, courses.sis_id],
    versions,
    andThen: [
      promoteWaiting(db, id),
      db.select(withCounts).from(courses).where(eq(courses.id, id)),
    ],
  });
  if (result.outcome !== "updated") return result;
  const [promoted = []] = result.andThen as { student_id: number }[][];
  return {
    ...result,
    row: withSeats(result.row),
    promoted: promoted.map(({ student_id }) => student_id),
  };
}

/** Who a list is narrowed to: the one course with this code, or this SIS id, or both. */
export type CourseFilter = { code?: string; sis_id?: string };

/**
 * `count` courses with an id above `after`, in id order (keyset: as fast on page 1,000 as on
 * page 1); only the one that `filter` names, when it names one (found through a unique index).
 */
export async function listCourses(
  db: Database,
  count: number,
  after = 0,
  { code, sis_id }: CourseFilter = {},
): Promise<Course[]> {
  const byCode = code === undefined ? undefined : eq(courses.code, code);
  const bySisId = sis_id === undefined ? undefined : eq(courses.sis_id, sis_id);
  const rows = await db
    .select(withCounts)
    .from(courses)
    .where(and(byCode, bySisId, gt(courses.id, after)))
    .orderBy(asc(courses.id))
    .limit(count);
  return rows.map(({ version: _, ...row }) => withSeats(row));
}

/** Deletes the course (and so its enrollments) if `versions` allows (see deleteVersioned). */
export const deleteCourse = (db: Database, id: number, versions: Versions) =>
  deleteVersioned(db, courses, id, versions);
