import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BulkEnrollment, Enrollment, RosterEntry } from "../../src/enrollments/responses";
import {
  api,
  createCourse,
  createStudent,
  defined,
  expectProblem,
  type Page,
  type ProblemBody,
} from "../helpers/api";

const enroll = (studentId: number, courseId: unknown) =>
  api(`/students/${studentId}/courses`, { method: "POST", json: { course_id: courseId } });
const drop = (studentId: number, courseId: number) =>
  api(`/students/${studentId}/courses/${courseId}`, { method: "DELETE" });
const listOf = async <T = Enrollment>(path: string) => {
  const res = await api(path);
  expect(res.status).toBe(200);
  return (await res.json()) as Page<T>;
};
const rowsOf = (studentId: number) =>
  env.DB.prepare("SELECT * FROM student_courses WHERE student_id = ? ORDER BY course_id")
    .bind(studentId)
    .all()
    .then((r) => r.results);

describe("POST /students/{id}/courses", () => {
  it("enrolls: 201, Location, the enrollment with its course", async () => {
    const [student, course] = [await createStudent(), await createCourse()];
    const res = await enroll(student.id, course.id);
    expect(res.status).toBe(201);
    expect(res.headers.get("Location")).toBe(`/students/${student.id}/courses/${course.id}`);
    expect(await res.json()).toEqual({
      student_id: student.id,
      course_id: course.id,
      status: "active",
      enrolled_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      dropped_at: null,
      waitlist_position: null,
      course: { id: course.id, code: course.code, title: course.title },
    });
    expect(await rowsOf(student.id)).toHaveLength(1);
  });

  it("answers a repeat with 200 and the enrollment unchanged", async () => {
    const [student, course] = [await createStudent(), await createCourse()];
    const first = (await (await enroll(student.id, course.id)).json()) as Enrollment;
    const again = await enroll(student.id, course.id);
    expect(again.status).toBe(200);
    expect(again.headers.get("Location")).toBeNull();
    expect(await again.json()).toEqual(first);
    expect(await rowsOf(student.id)).toHaveLength(1);
  });

  it("re-activates a dropped enrollment: 201, active, a new enrolled_at, dropped_at null", async () => {
    const [student, course] = [await createStudent(), await createCourse()];
    const first = (await (await enroll(student.id, course.id)).json()) as Enrollment;
    await drop(student.id, course.id);
    const res = await enroll(student.id, course.id);
    expect(res.status).toBe(201);
    const again = (await res.json()) as Enrollment;
    expect(again).toMatchObject({ status: "active", dropped_at: null });
    expect(again.enrolled_at > first.enrolled_at).toBe(true);
    expect(await rowsOf(student.id)).toHaveLength(1);
  });

  it("answers 404 student_not_found and 404 course_not_found, writing nothing", async () => {
    const [student, course] = [await createStudent(), await createCourse()];
    await expectProblem(await enroll(999_999, course.id), 404, "student_not_found");
    await expectProblem(await enroll(student.id, 999_999), 404, "course_not_found");
    await expectProblem(await enroll(999_998, 999_999), 404, "student_not_found");
    expect(await rowsOf(student.id)).toHaveLength(0);
  });

  it.each([
    ["a string id", { course_id: "1" }],
    ["a fractional id", { course_id: 1.5 }],
    ["zero", { course_id: 0 }],
    ["a negative id", { course_id: -3 }],
    ["an id over 2^53-1", { course_id: 2 ** 53 }],
    ["null", { course_id: null }],
    ["no course_id", {}],
    ["an unknown field", { course_id: 1, note: "x" }],
    ["a list", { course_id: [1] }],
  ])("refuses %s: 400 validation_failed, nothing written", async (_, json) => {
    const [student, course] = [await createStudent(), await createCourse()];
    const body = JSON.stringify(json).replace(/\b1\b/, String(course.id));
    const res = await api(`/students/${student.id}/courses`, {
      method: "POST",
      body,
      headers: { "Content-Type": "application/json" },
    });
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors?.[0]?.path).toMatch(/^body\.(course_id|note)$/);
    expect(await rowsOf(student.id)).toHaveLength(0);
  });

  it("explains a course_id that is not a positive integer", async () => {
    const messages = async (course_id: unknown) =>
      ((await (await enroll(1, course_id)).json()) as ProblemBody).errors?.map((e) => e.message);
    expect(await messages(0)).toEqual(["must be greater than 0"]);
    expect(await messages(1.5)).toEqual(["must be an integer"]);
    expect(await messages([1])).toEqual(["must be a single value, not a list"]);
    expect(await messages("7")).toEqual(["must be a number"]);
    expect(await messages(undefined)).toEqual(["is required"]);
  });

  it("refuses a bad student id in the path (400) and a body that is not JSON (415)", async () => {
    await expectProblem(await enroll(0, 1), 400, "validation_failed");
    const res = await api("/students/1/courses", {
      method: "POST",
      body: "course_id=1",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    await expectProblem(res, 415, "unsupported_media_type");
  });
});

describe("GET /students/{id}/courses/{course_id}", () => {
  it("returns the enrollment in any status, or 404 enrollment_not_found", async () => {
    const [student, course, other] = [
      await createStudent(),
      await createCourse(),
      await createCourse(),
    ];
    await enroll(student.id, course.id);
    await drop(student.id, course.id);
    const res = await api(`/students/${student.id}/courses/${course.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "dropped",
      dropped_at: expect.any(String),
      course: { id: course.id },
    });
    await expectProblem(
      await api(`/students/${student.id}/courses/${other.id}`),
      404,
      "enrollment_not_found",
    );
  });

  it("refuses a bad course id in the path: 400 naming path.course_id", async () => {
    const problem = await expectProblem(
      await api("/students/1/courses/abc"),
      400,
      "validation_failed",
    );
    expect(problem.errors).toEqual([{ path: "path.course_id", message: expect.any(String) }]);
  });
});

describe("DELETE /students/{id}/courses/{course_id}", () => {
  it("drops the enrollment: 204, the row kept as dropped with dropped_at", async () => {
    const [student, course] = [await createStudent(), await createCourse()];
    await enroll(student.id, course.id);
    const res = await drop(student.id, course.id);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const [row] = await rowsOf(student.id);
    expect(row).toMatchObject({ status: "dropped", dropped_at: expect.any(String) });
    expect(row?.updated_at).toBe(row?.dropped_at);
  });

  it("answers 404 enrollment_not_found when nothing active is there, and student_not_found for no student", async () => {
    const [student, course] = [await createStudent(), await createCourse()];
    await expectProblem(await drop(student.id, course.id), 404, "enrollment_not_found");
    await enroll(student.id, course.id);
    await drop(student.id, course.id);
    const [before] = await rowsOf(student.id);
    await expectProblem(await drop(student.id, course.id), 404, "enrollment_not_found");
    expect((await rowsOf(student.id))[0]).toEqual(before);
    await expectProblem(await drop(999_999, course.id), 404, "student_not_found");
  });
});

describe("lists of enrollments", () => {
  it("list a student's active courses by default, dropped or all on request; 404 for no student", async () => {
    const student = await createStudent();
    const [first, second, third] = [
      await createCourse(),
      await createCourse(),
      await createCourse(),
    ];
    const courses = [first, second, third];
    for (const course of courses) await enroll(student.id, course.id);
    await drop(student.id, second.id);
    const ids = (page: Page<Enrollment>) => page.data.map((e) => e.course_id);
    expect(ids(await listOf(`/students/${student.id}/courses`))).toEqual([first.id, third.id]);
    expect(ids(await listOf(`/students/${student.id}/courses?status=dropped`))).toEqual([
      second.id,
    ]);
    expect(ids(await listOf(`/students/${student.id}/courses?status=all`))).toEqual(
      courses.map((c) => c.id),
    );
    await expectProblem(await api("/students/999999/courses"), 404, "student_not_found");
    const problem = await expectProblem(
      await api(`/students/${student.id}/courses?status=pending`),
      400,
      "validation_failed",
    );
    expect(problem.errors).toEqual([
      { path: "query.status", message: 'must be one of "active", "waitlisted", "dropped", "all"' },
    ]);
    const twice = await expectProblem(
      await api(`/students/${student.id}/courses?status=all&status=dropped`),
      400,
      "validation_failed",
    );
    expect(twice.errors).toEqual([
      { path: "query.status", message: "must be a single value, not a list" },
    ]);
  });

  it("list a course's roster with each student, with the same filters; 404 for no course", async () => {
    const course = await createCourse();
    const [leaver, stayer] = [await createStudent(), await createStudent()];
    for (const student of [leaver, stayer]) await enroll(student.id, course.id);
    await drop(leaver.id, course.id);
    const roster = await listOf<RosterEntry>(`/courses/${course.id}/students?status=all`);
    expect(roster.data).toEqual([
      expect.objectContaining({
        student_id: leaver.id,
        status: "dropped",
        student: { id: leaver.id, name: leaver.name, email: leaver.email },
      }),
      expect.objectContaining({
        student_id: stayer.id,
        status: "active",
        student: { id: stayer.id, name: stayer.name, email: stayer.email },
      }),
    ]);
    expect(
      (await listOf<RosterEntry>(`/courses/${course.id}/students`)).data.map((e) => e.student_id),
    ).toEqual([stayer.id]);
    await expectProblem(await api("/courses/999999/students"), 404, "course_not_found");
  });

  it("are gone with the student or the course they belong to (foreign keys cascade)", async () => {
    const [student, other, course] = [
      await createStudent(),
      await createStudent(),
      await createCourse(),
    ];
    await enroll(student.id, course.id);
    await enroll(other.id, course.id);
    expect((await api(`/students/${student.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await rowsOf(student.id)).toHaveLength(0);
    expect((await listOf(`/courses/${course.id}/students`)).data).toHaveLength(1);
    expect((await api(`/courses/${course.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await rowsOf(other.id)).toHaveLength(0);
  });
});

it("full flow: enroll, list, page, drop, re-enroll, roster", async () => {
  const student = await createStudent();
  const courses = [];
  for (let i = 0; i < 5; i++) courses.push(await createCourse());
  for (const course of courses) expect((await enroll(student.id, course.id)).status).toBe(201);

  const seen: number[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<Enrollment> = await listOf(
      `/students/${student.id}/courses?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
    );
    expect(page.data.length).toBeLessThanOrEqual(2);
    seen.push(...page.data.map((e) => e.course_id));
    cursor = page.next_cursor;
  } while (cursor);
  expect(seen).toEqual(courses.map((c) => c.id));

  const dropped = defined(courses[2], "the third course");
  expect((await drop(student.id, dropped.id)).status).toBe(204);
  expect((await listOf(`/students/${student.id}/courses`)).data).toHaveLength(4);
  expect(
    (await listOf(`/students/${student.id}/courses?status=dropped`)).data.map((e) => e.course_id),
  ).toEqual([dropped.id]);
  expect((await listOf(`/courses/${dropped.id}/students`)).data).toEqual([]);

  expect((await enroll(student.id, dropped.id)).status).toBe(201);
  expect((await listOf(`/students/${student.id}/courses`)).data).toHaveLength(5);
  const roster = await listOf<RosterEntry>(`/courses/${dropped.id}/students`);
  expect(roster.data.map((e) => e.student.id)).toEqual([student.id]);
});

describe("POST /students/{id}/courses with course_ids (bulk)", () => {
  const bulk = (studentId: number, courseIds: unknown) =>
    api(`/students/${studentId}/courses`, { method: "POST", json: { course_ids: courseIds } });

  it("enrolls in each course at once and says what happened to each, in the order sent: 200", async () => {
    const student = await createStudent();
    const [active, dropped, fresh] = [
      await createCourse(),
      await createCourse(),
      await createCourse(),
    ];
    await enroll(student.id, active.id);
    await enroll(student.id, dropped.id);
    await drop(student.id, dropped.id);
    const res = await bulk(student.id, [fresh.id, dropped.id, active.id]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as BulkEnrollment;
    expect(body.data.map((r) => [r.course_id, r.result, r.enrollment.status])).toEqual([
      [fresh.id, "created", "active"],
      [dropped.id, "reactivated", "active"],
      [active.id, "unchanged", "active"],
    ]);
    expect(await rowsOf(student.id)).toHaveLength(3);
  });

  it("is all or nothing: a missing course is a 404 naming it, and nothing is enrolled", async () => {
    const student = await createStudent();
    const [a, b] = [await createCourse(), await createCourse()];
    const res = await bulk(student.id, [a.id, 999_998, b.id, 999_999]);
    const problem = await expectProblem(res, 404, "course_not_found");
    expect(problem.detail).toContain("999998, 999999");
    expect(problem.errors).toEqual([
      { path: "body.course_ids.1", message: "no course has this id" },
      { path: "body.course_ids.3", message: "no course has this id" },
    ]);
    expect(await rowsOf(student.id)).toHaveLength(0);
    await expectProblem(await bulk(999_999, [a.id]), 404, "student_not_found");
  });

  it("takes 100 courses in one request", async () => {
    const student = await createStudent();
    const ids: number[] = [];
    for (let i = 0; i < 100; i++) ids.push((await createCourse()).id);
    const res = await bulk(student.id, ids);
    expect(res.status).toBe(200);
    const body = (await res.json()) as BulkEnrollment;
    expect(body.data.every((r) => r.result === "created")).toBe(true);
    expect(await rowsOf(student.id)).toHaveLength(100);
  });

  it.each([
    ["no ids", [], "must list at least one course id"],
    ["101 ids", Array.from({ length: 101 }, (_, i) => i + 1), "must list at most 100 course ids"],
    ["an id twice", [1, 2, 1], "must not list a course id twice"],
  ])("refuses %s: 400, nothing written", async (_, ids, message) => {
    const student = await createStudent();
    const problem = await expectProblem(await bulk(student.id, ids), 400, "validation_failed");
    expect(problem.errors).toEqual([{ path: "body.course_ids", message }]);
    expect(await rowsOf(student.id)).toHaveLength(0);
  });

  it("refuses ids that are not positive integers, and both forms at once", async () => {
    const student = await createStudent();
    const problem = await expectProblem(await bulk(student.id, [1, "2"]), 400, "validation_failed");
    expect(problem.errors).toEqual([{ path: "body.course_ids.1", message: "must be a number" }]);
    const twoBad = await expectProblem(await bulk(student.id, ["1", 0]), 400, "validation_failed");
    expect(twoBad.errors).toEqual([
      { path: "body.course_ids.0", message: "must be a number" },
      { path: "body.course_ids.1", message: "must be greater than 0" },
    ]);
    const both = await api(`/students/${student.id}/courses`, {
      method: "POST",
      json: { course_id: 1, course_ids: [1] },
    });
    await expectProblem(both, 400, "validation_failed");
  });

  it("concurrent overlapping bulk enrolls create each enrollment exactly once", async () => {
    const student = await createStudent();
    const ids = [(await createCourse()).id, (await createCourse()).id, (await createCourse()).id];
    const responses = await Promise.all([
      bulk(student.id, ids),
      bulk(student.id, [...ids].reverse()),
      bulk(student.id, [ids[1]]),
    ]);
    const results = (
      await Promise.all(responses.map((r) => r.json() as Promise<BulkEnrollment>))
    ).flatMap((b) => b.data);
    for (const id of ids)
      expect(results.filter((r) => r.course_id === id && r.result === "created")).toHaveLength(1);
    expect(await rowsOf(student.id)).toHaveLength(3);
  });
});
