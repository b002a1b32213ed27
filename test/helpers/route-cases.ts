import { env } from "cloudflare:workers";
import { encodeCursor } from "../../src/lib/cursor";
import { appRequest, createCourse, createStudent } from "./api";
import { TEST_TOKENS } from "./tokens";

// One request of every route and outcome, in an order that works on a fresh database, for
// tests that hold each route to a cost (round trips, query plans). Call setUpRouteCases()
// in beforeAll, then send the cases in order.

type Fixtures = {
  student: { id: number; email: string };
  course: { id: number; code: string };
  other: { id: number };
};
const fixtures = {} as Fixtures;

export async function setUpRouteCases() {
  Object.assign(fixtures, {
    student: await createStudent(),
    course: await createCourse(),
    other: await createCourse(),
  });
}

type Init = { body?: string; headers?: Record<string, string> };
const json = (body: unknown): Init => ({
  body: JSON.stringify(body),
  headers: { "Content-Type": "application/json" },
});
const keyed = (body: unknown, key: string): Init => ({
  body: JSON.stringify(body),
  headers: { "Content-Type": "application/json", "Idempotency-Key": key },
});
// A valid cursor (after id 1): enough for the query after it to be the one a later page sends.
const CURSOR = btoa("[1]");
// A place in the change feed, as a client polling it later sends.
const FEED_CURSOR = encodeCursor(["2026-01-01T00:00:00.000Z", 1, 1]);

export type RouteCase = [
  name: string,
  status: number,
  method: string,
  path: (f: Fixtures) => string,
  init?: (f: Fixtures) => Init,
];

export const ROUTE_CASES: RouteCase[] = [
  [
    "POST /students",
    201,
    "POST",
    () => "/students",
    () => json({ name: "R", email: "route-case@example.org" }),
  ],
  [
    "POST /students (email taken)",
    409,
    "POST",
    () => "/students",
    (f) => json({ name: "R", email: f.student.email }),
  ],
  [
    "POST /students (Idempotency-Key)",
    201,
    "POST",
    () => "/students",
    () => keyed({ name: "K", email: "route-case-key@example.org" }, "route-case-key"),
  ],
  [
    "POST /students (Idempotency-Key, replayed)",
    201,
    "POST",
    () => "/students",
    () => keyed({ name: "K", email: "route-case-key@example.org" }, "route-case-key"),
  ],
  [
    "POST /students (Idempotency-Key, reused)",
    422,
    "POST",
    () => "/students",
    () => keyed({ name: "K", email: "other-key@example.org" }, "route-case-key"),
  ],
  [
    "POST /students (Idempotency-Key, email taken)",
    409,
    "POST",
    () => "/students",
    (f) => keyed({ name: "K", email: f.student.email }, "route-case-key-2"),
  ],
  ["GET /students", 200, "GET", (f) => `/students?limit=2&cursor=${CURSOR}`],
  [
    "GET /students?email=",
    200,
    "GET",
    (f) => `/students?email=${encodeURIComponent(f.student.email.toUpperCase())}`,
  ],
  ["GET /students/{id}", 200, "GET", (f) => `/students/${f.student.id}`],
  [
    "PATCH /students/{id}",
    200,
    "PATCH",
    (f) => `/students/${f.student.id}`,
    () => ({
      ...json({ name: "Renamed" }),
      headers: { ...json({}).headers, "If-Match": '"r1.1"' },
    }),
  ],
  [
    "PATCH /students/{id} (stale If-Match)",
    412,
    "PATCH",
    (f) => `/students/${f.student.id}`,
    () => ({ ...json({ name: "Stale" }), headers: { ...json({}).headers, "If-Match": '"r1.1"' } }),
  ],
  [
    "PATCH /students/{id} (email taken)",
    409,
    "PATCH",
    (f) => `/students/${f.student.id}`,
    () => json({ email: "route-case@example.org" }),
  ],
  ["POST /courses", 201, "POST", () => "/courses", () => json({ code: "ROUTE-CASE", title: "T" })],
  [
    "POST /courses (Idempotency-Key)",
    201,
    "POST",
    () => "/courses",
    () => keyed({ code: "ROUTE-KEY", title: "T" }, "route-case-course-key"),
  ],
  [
    "PATCH /courses/{id}",
    200,
    "PATCH",
    (f) => `/courses/${f.course.id}`,
    () => json({ title: "Retitled" }),
  ],
  ["GET /courses", 200, "GET", (f) => `/courses?cursor=${CURSOR}`],
  ["GET /courses?code=", 200, "GET", (f) => `/courses?code=${f.course.code.toLowerCase()}`],
  ["GET /courses/{id}", 200, "GET", (f) => `/courses/${f.course.id}`],
  [
    "POST /students/{id}/courses (created)",
    201,
    "POST",
    (f) => `/students/${f.student.id}/courses`,
    (f) => json({ course_id: f.course.id }),
  ],
  [
    "POST /students/{id}/courses (unchanged)",
    200,
    "POST",
    (f) => `/students/${f.student.id}/courses`,
    (f) => json({ course_id: f.course.id }),
  ],
  [
    "POST /students/{id}/courses (no such course)",
    404,
    "POST",
    (f) => `/students/${f.student.id}/courses`,
    () => json({ course_id: 999_999 }),
  ],
  [
    "POST /students/{id}/courses (several courses)",
    200,
    "POST",
    (f) => `/students/${f.student.id}/courses`,
    (f) => json({ course_ids: [f.course.id, f.other.id] }),
  ],
  ["GET /students/{id}/courses", 200, "GET", (f) => `/students/${f.student.id}/courses?status=all`],
  [
    "GET /students/{id}/courses (a later page)",
    200,
    "GET",
    (f) => `/students/${f.student.id}/courses?limit=1&cursor=${CURSOR}`,
  ],
  [
    "GET /students/{id}/courses/{course_id}",
    200,
    "GET",
    (f) => `/students/${f.student.id}/courses/${f.course.id}`,
  ],
  [
    "DELETE /students/{id}/courses/{course_id}",
    204,
    "DELETE",
    (f) => `/students/${f.student.id}/courses/${f.course.id}`,
  ],
  [
    "GET /students/{id}/courses?status=dropped",
    200,
    "GET",
    (f) => `/students/${f.student.id}/courses?status=dropped`,
  ],
  [
    "POST /students/{id}/courses (reactivated)",
    201,
    "POST",
    (f) => `/students/${f.student.id}/courses`,
    (f) => json({ course_id: f.course.id }),
  ],
  ["GET /courses/{id}/students", 200, "GET", (f) => `/courses/${f.course.id}/students?status=all`],
  [
    "GET /courses/{id}/students (a later page)",
    200,
    "GET",
    (f) => `/courses/${f.course.id}/students?limit=1&cursor=${CURSOR}`,
  ],
  [
    "DELETE /courses/{id} (stale If-Match)",
    412,
    "DELETE",
    (f) => `/courses/${f.other.id}`,
    () => ({ headers: { "If-Match": '"r1.9"' } }),
  ],
  [
    "DELETE /courses/{id} (current If-Match)",
    204,
    "DELETE",
    (f) => `/courses/${f.other.id}`,
    () => ({ headers: { "If-Match": '"r1.1"' } }),
  ],
  ["DELETE /students/{id}", 204, "DELETE", (f) => `/students/${f.student.id}`],
  ["GET /enrollments", 200, "GET", () => "/enrollments"],
  [
    "GET /enrollments (since a time, after a cursor)",
    200,
    "GET",
    () => `/enrollments?updated_since=2026-01-01T00:00:00Z&cursor=${FEED_CURSOR}&limit=2`,
  ],
];

/** Sends a case as a client with a read-write token would, with `db` in place of the D1 binding. */
export async function send([, , method, path, init]: RouteCase, db: D1Database): Promise<Response> {
  const { body, headers } = init?.(fixtures) ?? {};
  return appRequest(
    new Request(`http://api.test${path(fixtures)}`, {
      method,
      body,
      headers: { Authorization: `Bearer ${TEST_TOKENS.write}`, ...headers },
    }),
    { ...env, DB: db },
  );
}
