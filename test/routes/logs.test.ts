import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Course } from "../../src/courses/responses";
import { app } from "../../src/index";
import type { Student } from "../../src/students/responses";
import wranglerToml from "../../wrangler.toml?raw";
import { api, createCourse, createStudent } from "../helpers/api";
import { failingD1 } from "../helpers/failing-d1";
import { TEST_TOKENS } from "../helpers/tokens";

// Runs a realistic session against the Worker while capturing every console call, then
// checks the shape of each line and that no personal data or secret reached the logs.

const NAME = "Zoë Secretname";
const EMAIL = "zoe.private@example.org";
const NEW_NAME = "Zoë Othersurname";
let lines: unknown[][] = [];
let studentId: number;
let courseId: number;
let otherCourseId: number;

beforeAll(async () => {
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
    vi.spyOn(console, method),
  );
  const created = await api("/students", { method: "POST", json: { name: NAME, email: EMAIL } });
  studentId = ((await created.json()) as Student).id;
  courseId = (
    (await (
      await api("/courses", { method: "POST", json: { code: "LOG101", title: "Private title" } })
    ).json()) as Course
  ).id;
  await api("/students", { method: "POST", json: { name: NAME, email: EMAIL } }); // 409
  await api("/students", {
    method: "POST",
    json: { name: NAME, email: "not-an-email", extra: EMAIL },
  }); // 400
  await api(`/students/${studentId}`);
  await api(`/students?limit=1&cursor=${btoa(EMAIL)}`);
  await api("/students?limit=5");
  await api("/courses");
  await api("/students", { token: "wrong-secret-token" });
  await api("/students", {
    method: "POST",
    token: TEST_TOKENS.read,
    json: { name: NAME, email: EMAIL },
  });
  await api(`/students/${encodeURIComponent(EMAIL)}`);
  await api(`/students?email=${encodeURIComponent(EMAIL)}`);
  await api(`/students?email=${encodeURIComponent(EMAIL.toUpperCase())}&limit=1`);
  await api("/students", { method: "PROPFIND" }); // a method the API does not know: logged as "other"
  const enroll = () =>
    api(`/students/${studentId}/courses`, { method: "POST", json: { course_id: courseId } });
  await enroll(); // created
  await enroll(); // unchanged
  await api(`/students/${studentId}/courses/${courseId}`, { method: "DELETE" });
  await enroll(); // reactivated
  await api(`/students/${studentId}/courses?status=all`);
  await api(`/courses/${courseId}/students`); // the roster holds the name and email
  otherCourseId = (
    (await (
      await api("/courses", { method: "POST", json: { code: "LOG102", title: "Private title" } })
    ).json()) as Course
  ).id;
  await api(`/students/${studentId}/courses`, {
    method: "POST",
    json: { course_ids: [courseId, otherCourseId] },
  }); // bulk: one unchanged, one created
  await api(`/students/${studentId}`, { method: "PATCH", json: { name: NEW_NAME } });
  await api(`/courses/${courseId}`, { method: "DELETE" });
  await api(`/students/${studentId}`, { method: "DELETE" });
  // Every call of every console method, in the order they were made.
  lines = spies
    .flatMap((spy) =>
      spy.mock.calls.map((args, i) => ({ args, order: spy.mock.invocationCallOrder[i] ?? 0 })),
    )
    .sort((a, b) => a.order - b.order)
    .map(({ args }) => args);
});

afterAll(() => {
  vi.restoreAllMocks();
});

const entries = () => lines.map((args) => args[0] as Record<string, unknown>);

describe("logs", () => {
  it("leave out Cloudflare's own invocation logs, which would record full URLs (?email=) and headers", () => {
    expect(wranglerToml).toMatch(/^\[observability\.logs\]\ninvocation_logs = false$/m);
  });

  it("hold no name, email, token, header or body", () => {
    const text = JSON.stringify(lines);
    for (const secret of [
      NAME,
      "Secretname",
      NEW_NAME,
      "Othersurname",
      EMAIL,
      "zoe.private",
      "not-an-email",
      "Private title",
      ...Object.values(TEST_TOKENS),
      "wrong-secret-token",
      "Bearer",
      "authorization",
      btoa(EMAIL),
    ]) {
      expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
    }
  });

  it("give each request one line with its id, method, route pattern, status and duration", () => {
    const requests = entries().filter((e) => e.message === "request");
    expect(requests).toHaveLength(25);
    for (const entry of requests) {
      expect(entry).toMatchObject({
        level: "info",
        request_id: expect.any(String),
        method: expect.any(String),
        status: expect.any(Number),
        duration_ms: expect.any(Number),
      });
    }
    expect(requests.map((e) => `${e.method} ${e.route} ${e.status}`)).toEqual([
      "POST /students 201",
      "POST /courses 201",
      "POST /students 409",
      "POST /students 400",
      "GET /students/:id 200",
      "GET /students 400",
      "GET /students 200",
      "GET /courses 200",
      "GET /students 401",
      "POST /students 403",
      "GET /students/:id 400",
      "GET /students 200",
      "GET /students 200",
      "other null 405",
      "POST /students/:id/courses 201",
      "POST /students/:id/courses 200",
      "DELETE /students/:id/courses/:course_id 204",
      "POST /students/:id/courses 201",
      "GET /students/:id/courses 200",
      "GET /courses/:id/students 200",
      "POST /courses 201",
      "POST /students/:id/courses 200",
      "PATCH /students/:id 200",
      "DELETE /courses/:id 204",
      "DELETE /students/:id 204",
    ]);
  });

  it("count the rows a list returned, with the id an enrollment list belongs to", () => {
    const lists = entries().filter(
      (e) => e.message === "request" && e.method === "GET" && e.status === 200 && "row_count" in e,
    );
    expect(
      lists.map(({ route, row_count, student_id, course_id }) => ({
        route,
        row_count,
        student_id,
        course_id,
      })),
    ).toEqual([
      { route: "/students", row_count: 1, student_id: undefined, course_id: undefined },
      { route: "/courses", row_count: 1, student_id: undefined, course_id: undefined },
      { route: "/students", row_count: 1, student_id: undefined, course_id: undefined },
      { route: "/students", row_count: 1, student_id: undefined, course_id: undefined },
      { route: "/students/:id/courses", row_count: 1, student_id: studentId, course_id: undefined },
      { route: "/courses/:id/students", row_count: 1, student_id: undefined, course_id: courseId },
    ]);
  });

  it("are one line per request, and nothing else", () => {
    expect(entries().length).toBe(entries().filter((e) => e.message === "request").length);
  });

  it("put each write's domain event, with ids only, on its request's line", () => {
    const events = entries().filter((e) => "event" in e);
    expect(
      events.map(({ event, route, status, student_id, course_id, ...rest }) => ({
        event,
        route,
        status,
        ...(student_id !== undefined && { student_id }),
        ...(course_id !== undefined && { course_id }),
        ...Object.fromEntries(
          Object.entries(rest).filter(([key]) => /course_ids|fields/.test(key)),
        ),
      })),
    ).toEqual([
      { event: "student.created", route: "/students", status: 201, student_id: studentId },
      { event: "course.created", route: "/courses", status: 201, course_id: courseId },
      ...["created", "unchanged"].map((result, i) => ({
        event: `enrollment.${result}`,
        route: "/students/:id/courses",
        status: [201, 200][i],
        student_id: studentId,
        course_id: courseId,
      })),
      {
        event: "enrollment.dropped",
        route: "/students/:id/courses/:course_id",
        status: 204,
        student_id: studentId,
        course_id: courseId,
      },
      {
        event: "enrollment.reactivated",
        route: "/students/:id/courses",
        status: 201,
        student_id: studentId,
        course_id: courseId,
      },
      { event: "course.created", route: "/courses", status: 201, course_id: otherCourseId },
      {
        event: "enrollment.bulk",
        route: "/students/:id/courses",
        status: 200,
        student_id: studentId,
        unchanged_course_ids: String(courseId),
        created_course_ids: String(otherCourseId),
      },
      {
        event: "student.updated",
        route: "/students/:id",
        status: 200,
        student_id: studentId,
        fields: "name",
      },
      { event: "course.deleted", route: "/courses/:id", status: 204, course_id: courseId },
      { event: "student.deleted", route: "/students/:id", status: 204, student_id: studentId },
    ]);
  });

  it("name a promotion, with who was promoted, on the line of the drop or the raise that made it", async () => {
    const log = vi.spyOn(console, "log");
    const course = await createCourse();
    await api(`/courses/${course.id}`, { method: "PATCH", json: { capacity: 1 } });
    const [first, second, third] = [
      await createStudent(),
      await createStudent(),
      await createStudent(),
    ];
    for (const student of [first, second, third]) {
      await api(`/students/${student.id}/courses`, {
        method: "POST",
        json: { course_id: course.id },
      });
    }
    const from = log.mock.calls.length;
    await api(`/students/${first.id}/courses/${course.id}`, { method: "DELETE" });
    await api(`/courses/${course.id}`, { method: "PATCH", json: { capacity: 2 } });
    const [dropped, raised] = log.mock.calls
      .slice(from)
      .map(([line]) => line)
      .filter((line) => line.message === "request");
    expect(dropped).toMatchObject({
      event: "enrollment.dropped",
      student_id: first.id,
      side_event: "enrollment.promoted",
      promoted_student_id: second.id,
    });
    expect(raised).toMatchObject({
      event: "course.updated",
      fields: "capacity",
      side_event: "enrollment.promoted",
      promoted_student_ids: String(third.id),
    });
  });

  it("carry no event for a refused write", () => {
    const refused = entries().filter(
      (e) => e.message === "request" && e.method !== "GET" && Number(e.status) >= 400,
    );
    expect(refused.length).toBeGreaterThan(0);
    for (const entry of refused) expect(entry).not.toHaveProperty("event");
  });
});

describe("logs of a failed query", () => {
  it("hold the database's error, never the query's parameters", async () => {
    const errors = vi.spyOn(console, "error");
    const brokenDb = failingD1(new Error("D1_ERROR: storage unavailable"));
    const res = await app.request(
      "/students",
      {
        method: "POST",
        body: JSON.stringify({ name: NAME, email: EMAIL }),
        headers: {
          Authorization: `Bearer ${TEST_TOKENS.write}`,
          "Content-Type": "application/json",
        },
      },
      { ...env, DB: brokenDb },
    );
    expect(res.status).toBe(500);
    const logged = JSON.stringify(errors.mock.calls);
    expect(logged).toContain("storage unavailable");
    expect(logged).not.toContain(EMAIL);
    expect(logged).not.toContain("Secretname");
    errors.mockRestore();
  });
});
