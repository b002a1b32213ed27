import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client";
import { courses, NEXT_CHANGE_STAMP, NOW, studentCourses, students } from "../db/schema";
import { batchRows, builtOnce, rows } from "../db/statement";
import type { Enrollment, EnrollmentStatusFilter, RosterEntry } from "./schemas";

// Every function here makes one D1 round trip: a single statement, or one batch, which D1
// runs as one transaction. Existence checks and writes in one batch cannot be interleaved
// with another request's, so concurrent requests each see a consistent state. The database
// stamps updated_at itself, from its change clock (migrations/0003); the writes here put the
// clock's next time in place, so that its triggers need not write the row again (0006).
// These are the hot paths, so their SQL is built once per isolate (src/db/statement.ts).

const enrollmentColumns = {
  student_id: studentCourses.student_id,
  course_id: studentCourses.course_id,
  status: studentCourses.status,
  enrolled_at: studentCourses.enrolled_at,
  dropped_at: studentCourses.dropped_at,
};
const courseColumns = { code: courses.code, title: courses.title };
const studentColumns = { name: students.name, email: students.email };

type EnrollmentRow = Omit<Enrollment, "course"> & { code: string; title: string };
type RosterRow = Omit<RosterEntry, "student"> & { name: string; email: string };
type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * A list's rows come from its student (or course) LEFT JOIN its enrollments, so that one
 * statement also says whether the student exists: no row when it does not, one row of
 * nulls when it has no enrollment to list. Left-joined columns are null all together.
 */
const isEnrollment = <Row extends { course_id: number }>(row: Nullable<Row>): row is Row =>
  row.course_id !== null;

const enrollmentOf = ({ code, title, ...enrollment }: EnrollmentRow): Enrollment => ({
  ...enrollment,
  course: { id: enrollment.course_id, code, title },
});

const rosterEntryOf = ({ name, email, ...enrollment }: RosterRow): RosterEntry => ({
  ...enrollment,
  student: { id: enrollment.student_id, name, email },
});

/** `?status=`: one statement for each filter; 'all' matches every row. */
const hasStatus = sql`(${sql.placeholder("status")} = 'all' OR ${studentCourses.status} = ${sql.placeholder("status")})`;

/**
 * A page of one student's (or course's) enrollments, in the order of the other side's ids,
 * with the other side's columns: `owner` is the table the page belongs to, `ownerId` and
 * `otherId` the enrollment's columns that point to each side.
 */
const enrollmentsPage = <
  Other extends typeof students | typeof courses,
  Columns extends Record<string, AnySQLiteColumn>,
>(
  owner: typeof students | typeof courses,
  ownerId: AnySQLiteColumn,
  other: Other,
  otherId: AnySQLiteColumn,
  otherColumns: Columns,
) =>
  builtOnce((db: Database) =>
    db
      .select({ ...enrollmentColumns, ...otherColumns })
      .from(owner)
      .leftJoin(
        studentCourses,
        and(eq(ownerId, owner.id), gt(otherId, sql.placeholder("after")), hasStatus),
      )
      .leftJoin(other, eq(other.id, otherId))
      .where(eq(owner.id, sql.placeholder("id")))
      .orderBy(asc(otherId))
      .limit(sql.placeholder("count")),
  );

const studentEnrollmentsPage = enrollmentsPage(
  students,
  studentCourses.student_id,
  courses,
  studentCourses.course_id,
  courseColumns,
);
const courseRosterPage = enrollmentsPage(
  courses,
  studentCourses.course_id,
  students,
  studentCourses.student_id,
  studentColumns,
);

const isPair = and(
  eq(studentCourses.student_id, sql.placeholder("student")),
  eq(studentCourses.course_id, sql.placeholder("course")),
);

const oneEnrollment = builtOnce((db: Database) =>
  db
    .select({ ...enrollmentColumns, ...courseColumns })
    .from(studentCourses)
    .innerJoin(courses, eq(courses.id, studentCourses.course_id))
    .where(isPair),
);

const studentExists = builtOnce((db: Database) =>
  db
    .select({ id: students.id })
    .from(students)
    .where(eq(students.id, sql.placeholder("student"))),
);

const dropActive = builtOnce((db: Database) =>
  db
    .update(studentCourses)
    .set({ status: "dropped", dropped_at: NOW, updated_at: NEXT_CHANGE_STAMP })
    .where(and(isPair, eq(studentCourses.status, "active")))
    .returning({ course_id: studentCourses.course_id }),
);

// The course ids travel as one JSON array (json_each), which keeps every statement far below
// D1's 100 bound parameters whatever the count.
const inCourseIds = (column: typeof courses.id) =>
  sql`${column} IN (SELECT value FROM json_each(${sql.placeholder("course_ids")}))`;

/**
 * Before an enroll: one row per listed course that exists, with its enrollment (nulls: none
 * yet), or one row of nulls when none exists; no row when the student does not exist.
 */
const enrollmentsBefore = builtOnce((db: Database) =>
  db
    .select({
      id: courses.id,
      ...courseColumns,
      status: studentCourses.status,
      enrolled_at: studentCourses.enrolled_at,
      dropped_at: studentCourses.dropped_at,
    })
    .from(students)
    .leftJoin(courses, inCourseIds(courses.id))
    .leftJoin(
      studentCourses,
      and(eq(studentCourses.student_id, students.id), eq(studentCourses.course_id, courses.id)),
    )
    .where(eq(students.id, sql.placeholder("student"))),
);

/**
 * Creates each enrollment, or re-activates a dropped one; leaves an active one as it is. It
 * inserts nothing unless the student and every listed course exist. Answers the rows it
 * created or changed.
 */
const upsertEnrollments = builtOnce((db: Database) =>
  db
    .insert(studentCourses)
    .select(
      db
        .select({
          student_id: students.id,
          course_id: courses.id,
          status: sql<"active">`'active'`.as("status"),
          enrolled_at: sql<string>`${NOW}`.as("enrolled_at"),
          // The clock's next time, as the stamp trigger would write it (it rewrites the later
          // rows of a bulk insert, which the clock has moved past).
          updated_at: sql<string>`${NEXT_CHANGE_STAMP}`.as("updated_at"),
          dropped_at: sql<string | null>`NULL`.as("dropped_at"),
        })
        .from(students)
        .innerJoin(courses, inCourseIds(courses.id))
        .where(
          and(
            eq(students.id, sql.placeholder("student")),
            sql`(SELECT count(*) FROM ${courses} WHERE ${inCourseIds(courses.id)}) = (SELECT count(DISTINCT value) FROM json_each(${sql.placeholder("course_ids")}))`,
          ),
        ),
    )
    .onConflictDoUpdate({
      target: [studentCourses.student_id, studentCourses.course_id],
      set: { status: "active", enrolled_at: NOW, dropped_at: null, updated_at: NEXT_CHANGE_STAMP },
      setWhere: eq(studentCourses.status, "dropped"),
    })
    .returning(enrollmentColumns),
);

/** What enrolling did to one course: a new enrollment, a dropped one re-activated, or none. */
export type EnrollmentResult = {
  course_id: number;
  result: "created" | "reactivated" | "unchanged";
  enrollment: Enrollment;
};

/** The course of a row of enrollmentsBefore, or undefined for the row of nulls. */
const courseOf = ({ id, code, title }: Nullable<Enrollment["course"]>) =>
  id === null || code === null || title === null ? undefined : { id, code, title };

/** The enrollment a row of enrollmentsBefore shows, when it is active. */
const activeOf = ({ status, enrolled_at, dropped_at }: Nullable<EnrollmentState>) =>
  status === "active" && enrolled_at !== null ? { status, enrolled_at, dropped_at } : undefined;
type EnrollmentState = Pick<Enrollment, "status" | "enrolled_at" | "dropped_at">;

/**
 * Enrolls a student in one or more courses, all or nothing: for each course it creates the
 * enrollment, re-activates a dropped one, or leaves an active one as it is (so a retried
 * request is harmless); if any course is missing, nothing is written. One batch: the state
 * before, then the write. Answers whether the student exists, the listed courses that
 * exist, and what happened to each when all of them do.
 */
async function enrollBatch(db: Database, studentId: number, courseIds: number[]) {
  const values = { student: studentId, course_ids: JSON.stringify(courseIds) };
  const [before, written] = await batchRows(db, [
    enrollmentsBefore(db, values),
    upsertEnrollments(db, values),
  ]);
  const changed = new Map(written.map((row) => [row.course_id, row]));
  const found = new Set<number>();
  const results = new Map<number, EnrollmentResult>();
  for (const row of before) {
    const course = courseOf(row);
    if (!course) continue;
    found.add(course.id);
    const now = changed.get(course.id);
    const active = activeOf(row);
    if (now) {
      const result = row.status === null ? "created" : "reactivated";
      results.set(course.id, { course_id: course.id, result, enrollment: { ...now, course } });
    } else if (active) {
      const enrollment = { student_id: studentId, course_id: course.id, ...active, course };
      results.set(course.id, { course_id: course.id, result: "unchanged", enrollment });
    }
  }
  return { studentFound: before.length > 0, found, results };
}

/** Enrolls a student in one course (see enrollBatch). */
export async function enrollInCourse(
  db: Database,
  studentId: number,
  courseId: number,
): Promise<EnrollmentResult | "student_not_found" | "course_not_found"> {
  const { studentFound, results } = await enrollBatch(db, studentId, [courseId]);
  if (!studentFound) return "student_not_found";
  return results.get(courseId) ?? "course_not_found";
}

/** Enrolls a student in several courses, all or nothing (see enrollBatch); results in the order sent. */
export async function enrollInCourses(
  db: Database,
  studentId: number,
  courseIds: number[],
): Promise<
  | { outcome: "enrolled"; results: EnrollmentResult[] }
  | { outcome: "student_not_found" }
  | { outcome: "courses_not_found"; missing: number[] }
> {
  const { studentFound, found, results } = await enrollBatch(db, studentId, courseIds);
  if (!studentFound) return { outcome: "student_not_found" };
  const missing = courseIds.filter((id) => !found.has(id));
  if (missing.length > 0) return { outcome: "courses_not_found", missing };
  return { outcome: "enrolled", results: courseIds.flatMap((id) => results.get(id) ?? []) };
}

export async function findEnrollment(
  db: Database,
  studentId: number,
  courseId: number,
): Promise<Enrollment | undefined> {
  const [row] = await rows(oneEnrollment(db, { student: studentId, course: courseId }));
  return row && enrollmentOf(row);
}

/** Marks an active enrollment dropped, keeping the row. */
export async function dropEnrollment(
  db: Database,
  studentId: number,
  courseId: number,
): Promise<"dropped" | "student_not_found" | "enrollment_not_found"> {
  const values = { student: studentId, course: courseId };
  const [student, dropped] = await batchRows(db, [
    studentExists(db, values),
    dropActive(db, values),
  ]);
  if (student.length === 0) return "student_not_found";
  return dropped.length > 0 ? "dropped" : "enrollment_not_found";
}

type ListOptions = { status: EnrollmentStatusFilter; count: number; after?: number | undefined };

/** A student's enrollments in course id order, or undefined when there is no such student. */
export async function listStudentEnrollments(
  db: Database,
  studentId: number,
  { status, count, after = 0 }: ListOptions,
): Promise<Enrollment[] | undefined> {
  const found = await rows(studentEnrollmentsPage(db, { id: studentId, after, count, status }));
  if (found.length === 0) return undefined;
  return found.filter(isEnrollment<EnrollmentRow>).map(enrollmentOf);
}

/** A course's roster in student id order, or undefined when there is no such course. */
export async function listCourseRoster(
  db: Database,
  courseId: number,
  { status, count, after = 0 }: ListOptions,
): Promise<RosterEntry[] | undefined> {
  const found = await rows(courseRosterPage(db, { id: courseId, after, count, status }));
  if (found.length === 0) return undefined;
  return found.filter(isEnrollment<RosterRow>).map(rosterEntryOf);
}
