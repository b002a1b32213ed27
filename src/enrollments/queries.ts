import { and, asc, eq, gt, type SQL, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client";
import { courses, NEXT_CHANGE_STAMP, NOW, studentCourses, students } from "../db/schema";
import { batchRows, builtOnce, rows } from "../db/statement";
import type { Enrollment, RosterEntry } from "./responses";
import type { EnrollmentStatusFilter } from "./schemas";
import {
  backOfLine,
  hasFreeSeat,
  hasPlaceInLine,
  headOfLine,
  shownStatus,
  waiting,
  waitlistPosition,
} from "./seats";

// Every function here makes one D1 round trip: a single statement, or one batch, which D1
// runs as one transaction. Existence checks and writes in one batch cannot be interleaved
// with another request's, so concurrent requests each see a consistent state. The database
// stamps updated_at itself, from its change clock (migrations/0003); the writes here put the
// clock's next time in place, so that its triggers need not write the row again (0006).
// These are the hot paths, so their SQL is built once per isolate (src/db/statement.ts).

/** An enrollment's columns as the API shows them (see ./seats for waiting ones). */
const enrollmentColumns = {
  student_id: studentCourses.student_id,
  course_id: studentCourses.course_id,
  status: sql<Enrollment["status"]>`${shownStatus}`.as("status"),
  enrolled_at: studentCourses.enrolled_at,
  dropped_at: studentCourses.dropped_at,
  waitlist_position: sql<number | null>`${waitlistPosition}`.as("waitlist_position"),
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
const hasStatus = sql`(${sql.placeholder("status")} = 'all' OR ${shownStatus} = ${sql.placeholder("status")})`;

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

/**
 * A page of a course's line, in its order (by waitlist_seq, which no one's leaving changes,
 * so a cursor holds it), along the index of migrations/0007.
 */
const courseWaitlistPage = builtOnce((db: Database) =>
  db
    .select({ ...enrollmentColumns, ...studentColumns, waitlist_seq: studentCourses.waitlist_seq })
    .from(courses)
    .leftJoin(
      studentCourses,
      and(
        eq(studentCourses.course_id, courses.id),
        gt(studentCourses.waitlist_seq, sql.placeholder("after")),
      ),
    )
    .leftJoin(students, eq(students.id, studentCourses.student_id))
    .where(eq(courses.id, sql.placeholder("id")))
    .orderBy(asc(studentCourses.waitlist_seq))
    .limit(sql.placeholder("count")),
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

/** Drops an active or waiting enrollment: it gives up its seat, or leaves the line. */
const dropActive = builtOnce((db: Database) =>
  db
    .update(studentCourses)
    .set({ status: "dropped", dropped_at: NOW, updated_at: NEXT_CHANGE_STAMP, waitlist_seq: null })
    .where(and(isPair, eq(studentCourses.status, "active")))
    .returning({ course_id: studentCourses.course_id }),
);

/**
 * Gives a free seat of the course to the head of its line, if it has one: run after a drop in
 * the same batch, so the seat a drop frees goes to whoever waited longest before anyone else
 * can take it. enrolled_at becomes the time the seat was given. Only after a drop that
 * changed a row (`changes()`: the statement before it), so a refused drop writes nothing.
 */
const promoteHead = builtOnce((db: Database) => {
  const course = sql`${sql.placeholder("course")}`;
  return db
    .update(studentCourses)
    .set({ waitlist_seq: null, enrolled_at: NOW, updated_at: NEXT_CHANGE_STAMP })
    .where(
      and(
        sql`changes() = 1`,
        eq(studentCourses.course_id, course),
        sql`${studentCourses.waitlist_seq} = ${headOfLine(course)}`,
        sql`(SELECT ${hasFreeSeat} FROM ${courses} WHERE ${courses.id} = ${course})`,
      ),
    )
    .returning({ student_id: studentCourses.student_id });
});

/**
 * The courses an enroll lists, and what must hold for it to write anything. One course (the
 * `course` value) is written when it has a free seat or a place in line. Several (`course_ids`,
 * one JSON array read by json_each, which keeps every statement far below D1's 100 bound
 * parameters whatever the count) are written all or nothing: only when every one exists and
 * none is full for this student. Both give one course the same outcome; the one-course form
 * is the common request's, reads fewer rows, and compiles a seventh faster (D1 prepares every
 * statement anew, locally on every call: docs/performance.md).
 */
type Listing = { isListed: (column: typeof courses.id) => SQL; writes: SQL; room?: SQL };

/** Whether a course has room for one more, free seat or place in line. */
const hasRoom = sql`(${hasFreeSeat} OR ${hasPlaceInLine})`;

const oneCourse: Listing = {
  isListed: (column) => eq(column, sql.placeholder("course")),
  // The student already in it with a seat or a place changes nothing either way (the upsert
  // leaves such a row as it is).
  writes: hasRoom,
};

const inCourseIds = (column: typeof courses.id) =>
  sql`${column} IN (SELECT value FROM json_each(${sql.placeholder("course_ids")}))`;

const listedCourses: Listing = {
  isListed: inCourseIds,
  // All or nothing: a full course keeps the others unwritten, so the state before names it.
  room: hasRoom,
  writes: sql`(SELECT count(*) FROM ${courses} WHERE ${inCourseIds(courses.id)}) = (SELECT count(DISTINCT value) FROM json_each(${sql.placeholder("course_ids")}))
    AND NOT EXISTS (SELECT 1 FROM ${courses} WHERE ${inCourseIds(courses.id)} AND NOT ${hasRoom} AND NOT EXISTS (SELECT 1 FROM student_courses AS mine WHERE mine.student_id = ${sql.placeholder("student")} AND mine.course_id = ${courses.id} AND mine.status = 'active'))`,
};

/**
 * Before an enroll: one row per listed course that exists, with its enrollment (nulls: none
 * yet) and, for a list, whether it has room, or one row of nulls when none exists; no row
 * when the student does not exist. One course that the upsert left unwritten, with the
 * student not in it, had no room: asking would count its seats and line again.
 */
const enrollmentsBefore = ({ isListed, room = sql`0` }: Listing) =>
  builtOnce((db: Database) =>
    db
      .select({
        id: courses.id,
        ...courseColumns,
        status: studentCourses.status,
        enrolled_at: studentCourses.enrolled_at,
        dropped_at: studentCourses.dropped_at,
        waitlist_seq: studentCourses.waitlist_seq,
        room: sql<number>`${room}`.as("room"),
        waiting: sql<number>`${waiting(courses.id)}`.as("waiting"),
        position: sql<number | null>`${waitlistPosition}`.as("position"),
      })
      .from(students)
      .leftJoin(courses, isListed(courses.id))
      .leftJoin(
        studentCourses,
        and(eq(studentCourses.student_id, students.id), eq(studentCourses.course_id, courses.id)),
      )
      .where(eq(students.id, sql.placeholder("student"))),
  );

/**
 * Creates each enrollment, or re-activates a dropped one (at the back of the line when the
 * seats are taken); leaves an active or waiting one as it is. It writes nothing unless the
 * student and every listed course exist, and every course the student is not in yet has a
 * free seat or a place in line. Answers the rows it created or changed.
 */
const upsertEnrollments = ({ isListed, writes }: Listing) =>
  builtOnce((db: Database) =>
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
            waitlist_seq: sql<
              number | null
            >`CASE WHEN ${hasFreeSeat} THEN NULL ELSE ${backOfLine(courses.id)} END`.as(
              "waitlist_seq",
            ),
          })
          .from(students)
          .innerJoin(courses, isListed(courses.id))
          .where(and(eq(students.id, sql.placeholder("student")), writes)),
      )
      .onConflictDoUpdate({
        target: [studentCourses.student_id, studentCourses.course_id],
        set: {
          status: "active",
          enrolled_at: NOW,
          dropped_at: null,
          updated_at: NEXT_CHANGE_STAMP,
          waitlist_seq: sql`excluded.waitlist_seq`,
        },
        setWhere: eq(studentCourses.status, "dropped"),
      })
      .returning({
        student_id: studentCourses.student_id,
        course_id: studentCourses.course_id,
        enrolled_at: studentCourses.enrolled_at,
        dropped_at: studentCourses.dropped_at,
        waitlist_seq: studentCourses.waitlist_seq,
      }),
  );

const enrollOne = [enrollmentsBefore(oneCourse), upsertEnrollments(oneCourse)] as const;
const enrollMany = [enrollmentsBefore(listedCourses), upsertEnrollments(listedCourses)] as const;

/** What enrolling did to one course: a new enrollment (or a place in line), a dropped one re-activated, or none. */
export type EnrollmentResult = {
  course_id: number;
  result: "created" | "reactivated" | "waitlisted" | "unchanged";
  enrollment: Enrollment;
};

type BeforeRow = NonNullable<ReturnType<(typeof enrollOne)[0]>["row"]>;

/** The course of a row of enrollmentsBefore, or undefined for the row of nulls. */
const courseOf = ({ id, code, title }: Nullable<Enrollment["course"]>) =>
  id === null || code === null || title === null ? undefined : { id, code, title };

/** What enrolling did to the course of one row of enrollmentsBefore, given what the upsert wrote. */
function resultOf(
  studentId: number,
  course: Enrollment["course"],
  before: BeforeRow,
  written:
    | { enrolled_at: string; dropped_at: string | null; waitlist_seq: number | null }
    | undefined,
): EnrollmentResult | undefined {
  const ids = { student_id: studentId, course_id: course.id };
  if (written) {
    const waits = written.waitlist_seq !== null;
    const enrollment: Enrollment = {
      ...ids,
      status: waits ? "waitlisted" : "active",
      enrolled_at: written.enrolled_at,
      dropped_at: written.dropped_at,
      // At the back of the line as it was before this write, in the same transaction.
      waitlist_position: waits ? before.waiting + 1 : null,
      course,
    };
    const result = waits ? "waitlisted" : before.status === null ? "created" : "reactivated";
    return { course_id: course.id, result, enrollment };
  }
  if (before.status !== "active" || before.enrolled_at === null) return undefined;
  const waits = before.waitlist_seq !== null;
  const enrollment: Enrollment = {
    ...ids,
    status: waits ? "waitlisted" : "active",
    enrolled_at: before.enrolled_at,
    dropped_at: before.dropped_at,
    waitlist_position: waits ? before.position : null,
    course,
  };
  return { course_id: course.id, result: "unchanged", enrollment };
}

/**
 * Enrolls a student in one or more courses, all or nothing: for each course it creates the
 * enrollment (waiting in line when the seats are taken), re-activates a dropped one, or
 * leaves an active or waiting one as it is (so a retried request is harmless); if any course
 * is missing, or full with no room in its line, nothing is written. One batch: the state
 * before, then the write. Answers whether the student exists, the listed courses that exist,
 * those that are full, and what happened to each when none is missing or full.
 */
async function enrollBatch(db: Database, studentId: number, courseIds: number[]) {
  const [course] = courseIds;
  const [readBefore, upsert] = courseIds.length === 1 ? enrollOne : enrollMany;
  const values = { student: studentId, course, course_ids: JSON.stringify(courseIds) };
  const [before, written] = await batchRows(db, [readBefore(db, values), upsert(db, values)]);
  const changed = new Map(written.map((row) => [row.course_id, row]));
  const found = new Set<number>();
  const full: number[] = [];
  const results = new Map<number, EnrollmentResult>();
  for (const row of before) {
    const course = courseOf(row);
    if (!course) continue;
    found.add(course.id);
    const result = resultOf(studentId, course, row, changed.get(course.id));
    if (result) results.set(course.id, result);
    else if (!row.room) full.push(course.id);
  }
  return { studentFound: before.length > 0, found, full, results };
}

/** Enrolls a student in one course (see enrollBatch). */
export async function enrollInCourse(
  db: Database,
  studentId: number,
  courseId: number,
): Promise<EnrollmentResult | "student_not_found" | "course_not_found" | "course_full"> {
  const { studentFound, found, full, results } = await enrollBatch(db, studentId, [courseId]);
  if (!studentFound) return "student_not_found";
  if (!found.has(courseId)) return "course_not_found";
  if (full.length > 0) return "course_full";
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
  | { outcome: "courses_full"; full: number[] }
> {
  const { studentFound, found, full, results } = await enrollBatch(db, studentId, courseIds);
  if (!studentFound) return { outcome: "student_not_found" };
  const missing = courseIds.filter((id) => !found.has(id));
  if (missing.length > 0) return { outcome: "courses_not_found", missing };
  if (full.length > 0) return { outcome: "courses_full", full };
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

/**
 * Marks an active or waiting enrollment dropped, keeping the row, and gives the seat it
 * frees to the head of the course's line (in the same batch). Answers who was promoted.
 */
export async function dropEnrollment(
  db: Database,
  studentId: number,
  courseId: number,
): Promise<
  | { outcome: "dropped"; promoted: number | undefined }
  | { outcome: "student_not_found" }
  | { outcome: "enrollment_not_found" }
> {
  const values = { student: studentId, course: courseId };
  const [student, dropped, promoted] = await batchRows(db, [
    studentExists(db, values),
    dropActive(db, values),
    promoteHead(db, values),
  ]);
  if (student.length === 0) return { outcome: "student_not_found" };
  if (dropped.length === 0) return { outcome: "enrollment_not_found" };
  return { outcome: "dropped", promoted: promoted[0]?.student_id };
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

/**
 * A course's line in its order, each entry with its place (`waitlist_seq`, the page's key),
 * or undefined when there is no such course.
 */
export async function listCourseWaitlist(
  db: Database,
  courseId: number,
  { count, after = 0 }: Omit<ListOptions, "status">,
): Promise<(RosterEntry & { waitlist_seq: number })[] | undefined> {
  const found = await rows(courseWaitlistPage(db, { id: courseId, after, count }));
  if (found.length === 0) return undefined;
  return found
    .filter(isEnrollment<RosterRow & { waitlist_seq: number }>)
    .map((row) => ({ ...rosterEntryOf(row), waitlist_seq: row.waitlist_seq }));
}
