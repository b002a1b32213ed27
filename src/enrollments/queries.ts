import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { courses, NEXT_CHANGE_STAMP, NOW, studentCourses, students } from "../db/schema";
import type { Enrollment, EnrollmentStatusFilter, RosterEntry } from "./schemas";

// Every function here makes one D1 round trip: a single statement, or one batch, which D1
// runs as one transaction. Existence checks and writes in one batch cannot be interleaved
// with another request's, so concurrent requests each see a consistent state. The database
// stamps updated_at itself, from its change clock (migrations/0003); the writes here put the
// clock's next time in place, so that its triggers need not write the row again (0006).

const enrollmentColumns = {
  student_id: true,
  course_id: true,
  status: true,
  enrolled_at: true,
  dropped_at: true,
} as const;
const withCourse = { course: { columns: { id: true, code: true, title: true } } } as const;
const withStudent = { student: { columns: { id: true, name: true, email: true } } } as const;

const isPair = (studentId: number, courseId: number) =>
  and(eq(studentCourses.student_id, studentId), eq(studentCourses.course_id, courseId));

const hasStatus = (status: EnrollmentStatusFilter) =>
  status === "all" ? undefined : eq(studentCourses.status, status);

// findMany, not findFirst: in a D1 batch, drizzle 0.45 fails to map a findFirst that finds nothing.
const findEnrollmentQuery = (db: Database, studentId: number, courseId: number) =>
  db.query.studentCourses.findMany({
    columns: enrollmentColumns,
    with: withCourse,
    where: isPair(studentId, courseId),
    limit: 1,
  });

const studentExistsQuery = (db: Database, studentId: number) =>
  db.select({ id: students.id }).from(students).where(eq(students.id, studentId));

const courseExistsQuery = (db: Database, courseId: number) =>
  db.select({ id: courses.id }).from(courses).where(eq(courses.id, courseId));

/** What enrolling did to one course: a new enrollment, a dropped one re-activated, or none. */
export type EnrollmentResult = {
  course_id: number;
  result: "created" | "reactivated" | "unchanged";
  enrollment: Enrollment;
};

type EnrollmentStatus = Enrollment["status"];

/**
 * Enrolls a student in one or more courses, all or nothing: for each course it creates the
 * enrollment, re-activates a dropped one, or leaves an active one as it is (so a retried
 * request is harmless); if any course is missing, nothing is written. One batch: the state
 * before, the write, the result. The ids travel as one JSON array (json_each), which keeps
 * every statement far below D1's 100 bound parameters. Answers whether the student exists,
 * each listed course that exists with its enrollment's status before (null: none yet), and
 * the enrollments after.
 */
async function enrollBatch(db: Database, studentId: number, courseIds: number[]) {
  const ids = JSON.stringify(courseIds);
  const inCourseIds = (column: typeof courses.id | typeof studentCourses.course_id) =>
    sql`${column} IN (SELECT value FROM json_each(${ids}))`;
  const [student, before, , after] = await db.batch([
    studentExistsQuery(db, studentId),
    // Each listed course that exists, with the status of its enrollment (null: none yet).
    db
      .select({ course_id: courses.id, status: studentCourses.status })
      .from(courses)
      .leftJoin(
        studentCourses,
        and(eq(studentCourses.course_id, courses.id), eq(studentCourses.student_id, studentId)),
      )
      .where(inCourseIds(courses.id)),
    // Inserts nothing unless the student and every listed course exist.
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
              eq(students.id, studentId),
              sql`(SELECT count(*) FROM ${courses} WHERE ${inCourseIds(courses.id)}) = (SELECT count(DISTINCT value) FROM json_each(${ids}))`,
            ),
          ),
      )
      .onConflictDoUpdate({
        target: [studentCourses.student_id, studentCourses.course_id],
        set: {
          status: "active",
          enrolled_at: NOW,
          dropped_at: null,
          updated_at: NEXT_CHANGE_STAMP,
        },
        setWhere: eq(studentCourses.status, "dropped"),
      }),
    db.query.studentCourses.findMany({
      columns: enrollmentColumns,
      with: withCourse,
      where: and(eq(studentCourses.student_id, studentId), inCourseIds(studentCourses.course_id)),
    }),
  ]);
  return {
    studentFound: student.length > 0,
    statusBefore: new Map(before.map((row) => [row.course_id, row.status])),
    after: new Map(after.map((row) => [row.course_id, row])),
  };
}

const resultOf = (
  enrollment: Enrollment,
  statusBefore: EnrollmentStatus | null | undefined,
): EnrollmentResult => ({
  course_id: enrollment.course_id,
  result:
    statusBefore === null ? "created" : statusBefore === "dropped" ? "reactivated" : "unchanged",
  enrollment,
});

/** Enrolls a student in one course (see enrollBatch). */
export async function enrollInCourse(
  db: Database,
  studentId: number,
  courseId: number,
): Promise<EnrollmentResult | "student_not_found" | "course_not_found"> {
  const { studentFound, statusBefore, after } = await enrollBatch(db, studentId, [courseId]);
  if (!studentFound) return "student_not_found";
  // No enrollment after the batch: the course does not exist.
  const enrollment = after.get(courseId);
  return enrollment ? resultOf(enrollment, statusBefore.get(courseId)) : "course_not_found";
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
  const { studentFound, statusBefore, after } = await enrollBatch(db, studentId, courseIds);
  if (!studentFound) return { outcome: "student_not_found" };
  const missing = courseIds.filter((id) => !statusBefore.has(id));
  if (missing.length > 0) return { outcome: "courses_not_found", missing };
  const results = courseIds.flatMap((id) => {
    const enrollment = after.get(id);
    return enrollment ? [resultOf(enrollment, statusBefore.get(id))] : [];
  });
  return { outcome: "enrolled", results };
}

export async function findEnrollment(
  db: Database,
  studentId: number,
  courseId: number,
): Promise<Enrollment | undefined> {
  const [enrollment] = await findEnrollmentQuery(db, studentId, courseId);
  return enrollment;
}

/** Marks an active enrollment dropped, keeping the row. */
export async function dropEnrollment(
  db: Database,
  studentId: number,
  courseId: number,
): Promise<"dropped" | "student_not_found" | "enrollment_not_found"> {
  const [student, dropped] = await db.batch([
    studentExistsQuery(db, studentId),
    db
      .update(studentCourses)
      .set({ status: "dropped", dropped_at: NOW, updated_at: NEXT_CHANGE_STAMP })
      .where(and(isPair(studentId, courseId), eq(studentCourses.status, "active")))
      .returning({ course_id: studentCourses.course_id }),
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
  const [student, rows] = await db.batch([
    studentExistsQuery(db, studentId),
    db.query.studentCourses.findMany({
      columns: enrollmentColumns,
      with: withCourse,
      where: and(
        eq(studentCourses.student_id, studentId),
        gt(studentCourses.course_id, after),
        hasStatus(status),
      ),
      orderBy: asc(studentCourses.course_id),
      limit: count,
    }),
  ]);
  return student.length > 0 ? rows : undefined;
}

/** A course's roster in student id order, or undefined when there is no such course. */
export async function listCourseRoster(
  db: Database,
  courseId: number,
  { status, count, after = 0 }: ListOptions,
): Promise<RosterEntry[] | undefined> {
  const [course, rows] = await db.batch([
    courseExistsQuery(db, courseId),
    db.query.studentCourses.findMany({
      columns: enrollmentColumns,
      with: withStudent,
      where: and(
        eq(studentCourses.course_id, courseId),
        gt(studentCourses.student_id, after),
        hasStatus(status),
      ),
      orderBy: asc(studentCourses.student_id),
      limit: count,
    }),
  ]);
  return course.length > 0 ? rows : undefined;
}
