import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import app from "../src/index";
import { createCourse, createStudent } from "./api";
import { TEST_TOKENS } from "./tokens";

// A request's cost at the edge is its D1 round trips. This wraps the real binding, counts
// every call that reaches the database (first/all/run/raw on a statement, batch, exec) and
// holds each route to one.

const EXECUTING = new Set(["first", "all", "run", "raw"]);

function countingD1(d1: D1Database) {
  let calls = 0;
  const statement = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, key) {
        const value = Reflect.get(target, key, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (key === "bind") return statement(value.apply(target, args));
          if (EXECUTING.has(String(key))) calls += 1;
          return value.apply(target, args);
        };
      },
    });
  const db = new Proxy(d1, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (key === "prepare") return statement(value.apply(target, args));
        if (key === "batch" || key === "exec") calls += 1;
        return value.apply(target, args);
      };
    },
  });
  return { db, calls: () => calls };
}

let student: { id: number };
let course: { id: number };
let other: { id: number };

beforeAll(async () => {
  [student, course, other] = [await createStudent(), await createCourse(), await createCourse()];
});

const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });

it.each([
  ["POST /students", 201, "POST", "/students", json({ name: "R", email: "round@example.org" })],
  ["POST /students (email taken)", 409, "POST", "/students", json({ name: "R", email: "round@example.org" })],
  ["GET /students", 200, "GET", "/students?limit=2", {}],
  ["GET /students/{id}", 200, "GET", () => `/students/${student.id}`, {}],
  ["POST /courses", 201, "POST", "/courses", json({ code: "RT1", title: "T" })],
  ["GET /courses", 200, "GET", "/courses", {}],
  ["GET /courses/{id}", 200, "GET", () => `/courses/${course.id}`, {}],
  ["POST /students/{id}/courses (created)", 201, "POST", () => `/students/${student.id}/courses`, () => json({ course_id: course.id })],
  ["POST /students/{id}/courses (unchanged)", 200, "POST", () => `/students/${student.id}/courses`, () => json({ course_id: course.id })],
  ["POST /students/{id}/courses (no such course)", 404, "POST", () => `/students/${student.id}/courses`, json({ course_id: 999_999 })],
  ["GET /students/{id}/courses", 200, "GET", () => `/students/${student.id}/courses?status=all`, {}],
  ["GET /students/{id}/courses/{course_id}", 200, "GET", () => `/students/${student.id}/courses/${course.id}`, {}],
  ["DELETE /students/{id}/courses/{course_id}", 204, "DELETE", () => `/students/${student.id}/courses/${course.id}`, {}],
  ["POST /students/{id}/courses (reactivated)", 201, "POST", () => `/students/${student.id}/courses`, () => json({ course_id: course.id })],
  ["GET /courses/{id}/students", 200, "GET", () => `/courses/${course.id}/students`, {}],
  ["DELETE /courses/{id}", 204, "DELETE", () => `/courses/${other.id}`, {}],
  ["DELETE /students/{id}", 204, "DELETE", () => `/students/${student.id}`, {}],
] as const)("%s (%i) makes one D1 round trip", async (_, status, method, path, init) => {
  const counter = countingD1(env.DB);
  const resolved = typeof init === "function" ? init() : init;
  const res = await app.request(
    typeof path === "function" ? path() : path,
    { method, ...resolved, headers: { Authorization: `Bearer ${TEST_TOKENS.write}`, ...("headers" in resolved ? resolved.headers : {}) } },
    { ...env, DB: counter.db },
  );
  expect(res.status).toBe(status);
  expect(counter.calls()).toBe(1);
});

it("a request refused before it reaches a route makes none", async () => {
  const counter = countingD1(env.DB);
  await app.request("/students/abc", { headers: { Authorization: `Bearer ${TEST_TOKENS.write}` } }, { ...env, DB: counter.db });
  await app.request("/students", { headers: { Authorization: "Bearer wrong" } }, { ...env, DB: counter.db });
  expect(counter.calls()).toBe(0);
});
