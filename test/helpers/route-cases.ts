import { env } from "cloudflare:workers";
import type { Course } from "../../src/courses/responses";
import { database } from "../../src/db/client";
import { encodeCursor } from "../../src/lib/cursor";
import type { Student } from "../../src/students/responses";
import { fanOut } from "../../src/webhooks/dispatch";
import { appRequest, createCourse, createStudent } from "./api";
import { TEST_TOKENS } from "./tokens";

// One request of every route and outcome, in an order that works on a fresh database, for
// tests that hold each route to a cost (round trips, query plans). In beforeAll, make the
// records the cases refer to (`fixtures = await setUpRouteCases()`), then send the cases in
// order: `send(routeCase, fixtures, db)`.

/**
 * The records the cases refer to: a student and a course to enroll, another course to
 * delete, and a course of one seat and two places in line, its seat taken by `seated` and
 * the first place by `queued`, with `late` to find it full once `student` takes the second.
 */
export type Fixtures = {
  student: Student;
  course: Course;
  other: Course;
  limited: Course;
  seated: Student;
  queued: Student;
  late: Student;
};

export async function setUpRouteCases(): Promise<Fixtures> {
  const student = await createStudent();
  const course = await createCourse();
  const other = await createCourse();
  const limited = await createCourse();
  const [seated, queued, late] = [
    await createStudent(),
    await createStudent(),
    await createStudent(),
  ];
  await env.DB.batch([
    env.DB.prepare("UPDATE courses SET capacity = 1, waitlist_capacity = 2 WHERE id = ?").bind(
      limited.id,
    ),
    env.DB.prepare(
      "INSERT INTO student_courses (student_id, course_id, waitlist_seq) VALUES (?, ?, NULL), (?, ?, 1)",
    ).bind(seated.id, limited.id, queued.id, limited.id),
  ]);
  return { student, course, other, limited, seated, queued, late };
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
// A file as a client sends it: with its length, which an import needs first.
const csv = (text: string): Init => ({
  body: text,
  headers: {
    "Content-Type": "text/csv",
    "Content-Length": String(new TextEncoder().encode(text).length),
  },
});
// A valid cursor (after id 1): enough for the query after it to be the one a later page sends.
const CURSOR = btoa("[1]");
// A place in the change feed, as a client polling it later sends.
const FEED_CURSOR = encodeCursor(["2026-01-01T00:00:00.000Z", 1, 1]);

export type RouteCase = {
  /** The route and, in parentheses, the outcome: names the tests. */
  name: string;
  /** The status the case must answer with. */
  status: number;
  method: string;
  path: (fixtures: Fixtures) => string;
  init?: (fixtures: Fixtures) => Init;
  /** Work done first, outside the request and on the test's own binding (not counted). */
  before?: () => Promise<unknown>;
};

export const ROUTE_CASES: RouteCase[] = [
  {
    name: "POST /students",
    status: 201,
    method: "POST",
    path: () => "/students",
    init: () => json({ name: "R", email: "route-case@example.org" }),
  },
  {
    name: "POST /students (email taken)",
    status: 409,
    method: "POST",
    path: () => "/students",
    init: (f) => json({ name: "R", email: f.student.email }),
  },
  {
    name: "POST /students (Idempotency-Key)",
    status: 201,
    method: "POST",
    path: () => "/students",
    init: () => keyed({ name: "K", email: "route-case-key@example.org" }, "route-case-key"),
  },
  {
    name: "POST /students (Idempotency-Key, replayed)",
    status: 201,
    method: "POST",
    path: () => "/students",
    init: () => keyed({ name: "K", email: "route-case-key@example.org" }, "route-case-key"),
  },
  {
    name: "POST /students (Idempotency-Key, reused)",
    status: 422,
    method: "POST",
    path: () => "/students",
    init: () => keyed({ name: "K", email: "other-key@example.org" }, "route-case-key"),
  },
  {
    name: "POST /students (Idempotency-Key, email taken)",
    status: 409,
    method: "POST",
    path: () => "/students",
    init: (f) => keyed({ name: "K", email: f.student.email }, "route-case-key-2"),
  },
  {
    name: "GET /students",
    status: 200,
    method: "GET",
    path: () => `/students?limit=2&cursor=${CURSOR}`,
  },
  {
    name: "GET /students?email=",
    status: 200,
    method: "GET",
    path: (f) => `/students?email=${encodeURIComponent(f.student.email.toUpperCase())}`,
  },
  {
    name: "GET /students/{id}",
    status: 200,
    method: "GET",
    path: (f) => `/students/${f.student.id}`,
  },
  {
    name: "PATCH /students/{id}",
    status: 200,
    method: "PATCH",
    path: (f) => `/students/${f.student.id}`,
    init: () => ({
      ...json({ name: "Renamed" }),
      headers: { ...json({}).headers, "If-Match": '"r3.1"' },
    }),
  },
  {
    name: "PATCH /students/{id} (stale If-Match)",
    status: 412,
    method: "PATCH",
    path: (f) => `/students/${f.student.id}`,
    init: () => ({
      ...json({ name: "Stale" }),
      headers: { ...json({}).headers, "If-Match": '"r3.1"' },
    }),
  },
  {
    name: "PATCH /students/{id} (email taken)",
    status: 409,
    method: "PATCH",
    path: (f) => `/students/${f.student.id}`,
    init: () => json({ email: "route-case@example.org" }),
  },
  {
    name: "POST /students (with a SIS id)",
    status: 201,
    method: "POST",
    path: () => "/students",
    init: () => json({ name: "S", email: "route-case-sis@example.org", sis_id: "ROUTE-SIS-1" }),
  },
  {
    name: "POST /students (SIS id taken)",
    status: 409,
    method: "POST",
    path: () => "/students",
    init: () => json({ name: "S", email: "route-case-sis-2@example.org", sis_id: "ROUTE-SIS-1" }),
  },
  {
    name: "POST /students (Idempotency-Key, SIS id taken)",
    status: 409,
    method: "POST",
    path: () => "/students",
    init: () =>
      keyed(
        { name: "S", email: "route-case-sis-3@example.org", sis_id: "ROUTE-SIS-1" },
        "route-case-sis-key",
      ),
  },
  {
    name: "GET /students?sis_id=",
    status: 200,
    method: "GET",
    path: () => "/students?sis_id=ROUTE-SIS-1",
  },
  {
    name: "PATCH /students/{id} (SIS id taken)",
    status: 409,
    method: "PATCH",
    path: (f) => `/students/${f.student.id}`,
    init: () => json({ sis_id: "ROUTE-SIS-1" }),
  },
  {
    name: "POST /courses",
    status: 201,
    method: "POST",
    path: () => "/courses",
    init: () => json({ code: "ROUTE-CASE", title: "T" }),
  },
  {
    name: "POST /courses (Idempotency-Key)",
    status: 201,
    method: "POST",
    path: () => "/courses",
    init: () => keyed({ code: "ROUTE-KEY", title: "T" }, "route-case-course-key"),
  },
  {
    name: "PATCH /courses/{id}",
    status: 200,
    method: "PATCH",
    path: (f) => `/courses/${f.course.id}`,
    init: () => json({ title: "Retitled" }),
  },
  {
    name: "PATCH /courses/{id} (a SIS id)",
    status: 200,
    method: "PATCH",
    path: (f) => `/courses/${f.course.id}`,
    init: () => json({ sis_id: "ROUTE-COURSE-1" }),
  },
  {
    name: "GET /courses?sis_id=",
    status: 200,
    method: "GET",
    path: () => "/courses?sis_id=ROUTE-COURSE-1",
  },
  {
    name: "GET /courses",
    status: 200,
    method: "GET",
    path: () => `/courses?cursor=${CURSOR}`,
  },
  {
    name: "GET /courses?code=",
    status: 200,
    method: "GET",
    path: (f) => `/courses?code=${f.course.code.toLowerCase()}`,
  },
  {
    name: "GET /courses/{id}",
    status: 200,
    method: "GET",
    path: (f) => `/courses/${f.course.id}`,
  },
  {
    name: "POST /students/{id}/courses (created)",
    status: 201,
    method: "POST",
    path: (f) => `/students/${f.student.id}/courses`,
    init: (f) => json({ course_id: f.course.id }),
  },
  {
    name: "POST /students/{id}/courses (unchanged)",
    status: 200,
    method: "POST",
    path: (f) => `/students/${f.student.id}/courses`,
    init: (f) => json({ course_id: f.course.id }),
  },
  {
    name: "POST /students/{id}/courses (no such course)",
    status: 404,
    method: "POST",
    path: (f) => `/students/${f.student.id}/courses`,
    init: () => json({ course_id: 999_999 }),
  },
  {
    name: "POST /students/{id}/courses (several courses)",
    status: 200,
    method: "POST",
    path: (f) => `/students/${f.student.id}/courses`,
    init: (f) => json({ course_ids: [f.course.id, f.other.id] }),
  },
  {
    name: "GET /students/{id}/courses",
    status: 200,
    method: "GET",
    path: (f) => `/students/${f.student.id}/courses?status=all`,
  },
  {
    name: "GET /students/{id}/courses (a later page)",
    status: 200,
    method: "GET",
    path: (f) => `/students/${f.student.id}/courses?limit=1&cursor=${CURSOR}`,
  },
  {
    name: "GET /students/{id}/courses/{course_id}",
    status: 200,
    method: "GET",
    path: (f) => `/students/${f.student.id}/courses/${f.course.id}`,
  },
  {
    name: "DELETE /students/{id}/courses/{course_id}",
    status: 204,
    method: "DELETE",
    path: (f) => `/students/${f.student.id}/courses/${f.course.id}`,
  },
  {
    name: "GET /students/{id}/courses?status=dropped",
    status: 200,
    method: "GET",
    path: (f) => `/students/${f.student.id}/courses?status=dropped`,
  },
  {
    name: "POST /students/{id}/courses (reactivated)",
    status: 201,
    method: "POST",
    path: (f) => `/students/${f.student.id}/courses`,
    init: (f) => json({ course_id: f.course.id }),
  },
  {
    name: "POST /students/{id}/courses (waitlisted)",
    status: 201,
    method: "POST",
    path: (f) => `/students/${f.student.id}/courses`,
    init: (f) => json({ course_id: f.limited.id }),
  },
  {
    name: "POST /students/{id}/courses (course full)",
    status: 409,
    method: "POST",
    path: (f) => `/students/${f.late.id}/courses`,
    init: (f) => json({ course_id: f.limited.id }),
  },
  {
    name: "GET /students/{id}/courses?status=waitlisted",
    status: 200,
    method: "GET",
    path: (f) => `/students/${f.student.id}/courses?status=waitlisted`,
  },
  {
    name: "POST /students/{id}/courses (several courses, one full)",
    status: 409,
    method: "POST",
    path: (f) => `/students/${f.late.id}/courses`,
    init: (f) => json({ course_ids: [f.course.id, f.limited.id] }),
  },
  {
    name: "GET /courses/{id}/students?status=waitlisted",
    status: 200,
    method: "GET",
    path: (f) => `/courses/${f.limited.id}/students?status=waitlisted`,
  },
  {
    name: "DELETE /students/{id}/courses/{course_id} (promotes the head of the line)",
    status: 204,
    method: "DELETE",
    path: (f) => `/students/${f.seated.id}/courses/${f.limited.id}`,
  },
  {
    name: "PATCH /courses/{id} (capacity raised, the line promoted)",
    status: 200,
    method: "PATCH",
    path: (f) => `/courses/${f.limited.id}`,
    init: () => json({ capacity: 5 }),
  },
  {
    name: "PATCH /courses/{id} (capacity lowered below the seats taken)",
    status: 200,
    method: "PATCH",
    path: (f) => `/courses/${f.limited.id}`,
    init: () => json({ capacity: 1 }),
  },
  {
    name: "POST /students/{id}/courses (waitlisted under a lowered capacity)",
    status: 201,
    method: "POST",
    path: (f) => `/students/${f.late.id}/courses`,
    init: (f) => json({ course_id: f.limited.id }),
  },
  {
    name: "DELETE /students/{id}/courses/{course_id} (leaves the line)",
    status: 204,
    method: "DELETE",
    path: (f) => `/students/${f.late.id}/courses/${f.limited.id}`,
  },
  {
    name: "GET /courses/{id}/students",
    status: 200,
    method: "GET",
    path: (f) => `/courses/${f.course.id}/students?status=all`,
  },
  {
    name: "GET /courses/{id}/students (a later page)",
    status: 200,
    method: "GET",
    path: (f) => `/courses/${f.course.id}/students?limit=1&cursor=${CURSOR}`,
  },
  {
    name: "DELETE /courses/{id} (stale If-Match)",
    status: 412,
    method: "DELETE",
    path: (f) => `/courses/${f.other.id}`,
    init: () => ({ headers: { "If-Match": '"r3.9"' } }),
  },
  {
    name: "DELETE /courses/{id} (current If-Match)",
    status: 204,
    method: "DELETE",
    path: (f) => `/courses/${f.other.id}`,
    init: () => ({ headers: { "If-Match": '"r3.1"' } }),
  },
  {
    name: "DELETE /students/{id}",
    status: 204,
    method: "DELETE",
    path: (f) => `/students/${f.student.id}`,
  },
  {
    name: "GET /enrollments",
    status: 200,
    method: "GET",
    path: () => "/enrollments",
  },
  {
    name: "GET /enrollments (since a time, after a cursor)",
    status: 200,
    method: "GET",
    path: () => `/enrollments?updated_since=2026-01-01T00:00:00Z&cursor=${FEED_CURSOR}&limit=2`,
  },
  // From here on a webhook subscription exists (id 1, the first on a fresh database): the
  // writes after it also write its events, and the dispatcher makes their deliveries. Its
  // receiver is the tests' own.
  {
    name: "POST /webhooks",
    status: 201,
    method: "POST",
    path: () => "/webhooks",
    init: () => json({ url: `${env.WEBHOOK_RECEIVER}/ok/route-cases`, events: ["*"] }),
  },
  { name: "GET /webhooks", status: 200, method: "GET", path: () => "/webhooks" },
  { name: "GET /webhooks/{id}", status: 200, method: "GET", path: () => "/webhooks/1" },
  {
    name: "PATCH /webhooks/{id}",
    status: 200,
    method: "PATCH",
    path: () => "/webhooks/1",
    init: () => json({ description: "Route cases" }),
  },
  {
    name: "POST /webhooks/{id}/secret",
    status: 200,
    method: "POST",
    path: () => "/webhooks/1/secret",
  },
  {
    name: "POST /students (a webhook subscribed)",
    status: 201,
    method: "POST",
    path: () => "/students",
    init: () => json({ name: "W", email: "route-case-webhook@example.org" }),
  },
  {
    name: "POST /students/{id}/courses (created, a webhook subscribed)",
    status: 201,
    method: "POST",
    path: (f) => `/students/${f.late.id}/courses`,
    init: (f) => json({ course_id: f.course.id }),
  },
  {
    name: "DELETE /students/{id}/courses/{course_id} (a webhook subscribed)",
    status: 204,
    method: "DELETE",
    path: (f) => `/students/${f.late.id}/courses/${f.course.id}`,
  },
  {
    name: "GET /webhooks/{id}/deliveries",
    status: 200,
    method: "GET",
    path: () => "/webhooks/1/deliveries?status=pending",
    // The deliveries of the writes above, as the dispatcher makes them (not yet queued).
    before: () => fanOut(database(env.DB)),
  },
  {
    name: "POST /webhooks/{id}/deliveries/{delivery_id}/retry (not failed)",
    status: 409,
    method: "POST",
    path: () => "/webhooks/1/deliveries/1/retry",
  },
  { name: "DELETE /webhooks/{id}", status: 204, method: "DELETE", path: () => "/webhooks/1" },
  {
    name: "POST /imports (a dry run)",
    status: 202,
    method: "POST",
    path: () => "/imports?type=students&dry_run=true",
    init: () => csv("sis_id,name,email\nR-1,Route Case,route-case-import@example.org\n"),
  },
  { name: "GET /imports/{id}", status: 200, method: "GET", path: () => "/imports/1" },
  { name: "GET /imports", status: 200, method: "GET", path: () => "/imports" },
  { name: "DELETE /imports/{id}", status: 200, method: "DELETE", path: () => "/imports/1" },
];

/** Sends a case as a client with a read-write token would, with `db` in place of the D1 binding. */
export async function send(
  { method, path, init, before }: RouteCase,
  fixtures: Fixtures,
  db: D1Database,
): Promise<Response> {
  await before?.();
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
