import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { database } from "../../src/db/client";
import { courses, studentCourses, students } from "../../src/db/schema";

// The enrollment model on the real local D1: what the database itself guarantees,
// whatever code writes to it.

const db = database(env.DB);
let studentId: number;
let courseId: number;

beforeEach(async () => {
  const n = crypto.randomUUID();
  [{ id: studentId }] = (await db
    .insert(students)
    .values({ name: "M", email: `${n}@example.org` })
    .returning({ id: students.id })) as [{ id: number }];
  [{ id: courseId }] = (await db
    .insert(courses)
    .values({ code: n.slice(0, 8), title: "T" })
    .returning({ id: courses.id })) as [{ id: number }];
});

const insertRaw = (sql: string, ...params: unknown[]) =>
  env.DB.prepare(sql)
    .bind(...params)
    .run();

describe("student_courses", () => {
  it("fills status, timestamps and dropped_at by default", async () => {
    const [row] = await db
      .insert(studentCourses)
      .values({ student_id: studentId, course_id: courseId })
      .returning();
    expect(row).toEqual({
      student_id: studentId,
      course_id: courseId,
      status: "active",
      enrolled_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updated_at: row?.enrolled_at,
      dropped_at: null,
      waitlist_seq: null,
    });
  });

  it("holds one row per student and course (primary key)", async () => {
    await insertRaw(
      "INSERT INTO student_courses (student_id, course_id) VALUES (?, ?)",
      studentId,
      courseId,
    );
    await expect(
      insertRaw(
        "INSERT INTO student_courses (student_id, course_id) VALUES (?, ?)",
        studentId,
        courseId,
      ),
    ).rejects.toThrow(/UNIQUE constraint failed/);
  });

  it("refuses a student or a course that does not exist (foreign keys)", async () => {
    await expect(
      insertRaw(
        "INSERT INTO student_courses (student_id, course_id) VALUES (?, ?)",
        999_999,
        courseId,
      ),
    ).rejects.toThrow(/FOREIGN KEY constraint failed/);
    await expect(
      insertRaw(
        "INSERT INTO student_courses (student_id, course_id) VALUES (?, ?)",
        studentId,
        999_999,
      ),
    ).rejects.toThrow(/FOREIGN KEY constraint failed/);
  });

  it("accepts only the statuses active and dropped (check constraint)", async () => {
    await expect(
      insertRaw(
        "INSERT INTO student_courses (student_id, course_id, status) VALUES (?, ?, 'pending')",
        studentId,
        courseId,
      ),
    ).rejects.toThrow(/CHECK constraint failed/);
    await insertRaw(
      "INSERT INTO student_courses (student_id, course_id, status) VALUES (?, ?, 'dropped')",
      studentId,
      courseId,
    );
    await expect(
      insertRaw("UPDATE student_courses SET status = 'ACTIVE' WHERE student_id = ?", studentId),
    ).rejects.toThrow(/CHECK constraint failed/);
  });

  it.each([
    ["student", () => db.delete(students).where(eq(students.id, studentId))],
    ["course", () => db.delete(courses).where(eq(courses.id, courseId))],
  ])("cascades the delete of its %s", async (_, remove) => {
    await db.insert(studentCourses).values({ student_id: studentId, course_id: courseId });
    await remove();
    expect(
      await db.select().from(studentCourses).where(eq(studentCourses.course_id, courseId)),
    ).toEqual([]);
    expect(
      await db.select().from(studentCourses).where(eq(studentCourses.student_id, studentId)),
    ).toEqual([]);
  });

  it("relates students and courses many-to-many through enrollments", async () => {
    const [other] = await db
      .insert(courses)
      .values({ code: "OTHER-1", title: "Other" })
      .returning({ id: courses.id });
    const otherId = other?.id ?? 0;
    await db.insert(studentCourses).values([
      { student_id: studentId, course_id: courseId },
      { student_id: studentId, course_id: otherId },
    ]);
    const coursesOfStudent = await db
      .select({ id: courses.id })
      .from(studentCourses)
      .innerJoin(courses, eq(courses.id, studentCourses.course_id))
      .where(eq(studentCourses.student_id, studentId))
      .orderBy(courses.id);
    expect(coursesOfStudent.map(({ id }) => id)).toEqual([courseId, otherId].sort((a, b) => a - b));
    const studentsOfCourse = await db
      .select({ id: students.id })
      .from(studentCourses)
      .innerJoin(students, eq(students.id, studentCourses.student_id))
      .where(eq(studentCourses.course_id, otherId));
    expect(studentsOfCourse).toEqual([{ id: studentId }]);
  });
});
