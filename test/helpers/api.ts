import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type * as z from "zod/mini";
import type { Course } from "../../src/courses/responses";
import type { problemBody } from "../../src/http/problem-body";
import type { ProblemCode } from "../../src/http/problems";
import { app } from "../../src/index";
import type { toPage } from "../../src/lib/pagination";
import type { Student } from "../../src/students/responses";
import { expectDocumentedResponse } from "./contract";
import { TEST_TOKENS } from "./tokens";

type ApiInit = RequestInit & {
  /** Bearer token to send; `null` sends none. Defaults to a read-write token. */
  token?: string | null;
  /** A value to send as the JSON body. */
  json?: unknown;
};

/**
 * Calls the Worker exactly as a client would, through its default export's fetch, and checks
 * the response against the OpenAPI document (status and body) before handing it back.
 */
export async function api(
  path: string,
  { token = TEST_TOKENS.write, json, ...init }: ApiInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set("Authorization", `Bearer ${token}`);
  if (json !== undefined) {
    headers.set("Content-Type", "application/json");
    init.body = JSON.stringify(json);
  }
  const request = new Request(`http://api.test${path}`, { ...init, headers });
  const response = await exports.default.fetch(request.clone());
  await expectDocumentedResponse(request, response);
  return response;
}

/**
 * Runs a request through the app with `env` in place of the real bindings, checked against
 * the OpenAPI document; what it left to do after its response (waitUntil) is done first.
 */
export async function appRequest(request: Request, env: object): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.request(request.clone(), undefined, env, ctx);
  await waitOnExecutionContext(ctx);
  await expectDocumentedResponse(request, response);
  return response;
}

/** The body of every error answer, as src/http/problems.ts's schema gives it. */
export type ProblemBody = z.output<typeof problemBody>;

/** A page of a list of `T`s, as every list answers (src/lib/pagination.ts makes it). */
export type Page<T> = ReturnType<typeof toPage<T>>;

/**
 * Asserts that `value` is there, and tells TypeScript so: for an element it cannot know
 * exists (`noUncheckedIndexedAccess`), instead of a non-null assertion.
 */
export function defined<T>(value: T | undefined, what = "the value"): T {
  expect(value, what).toBeDefined();
  if (value === undefined) throw new Error(`${what} is undefined`);
  return value;
}

/** Asserts a complete RFC 9457 problem response and returns its body. */
export async function expectProblem(
  res: Response,
  status: number,
  code: ProblemCode,
): Promise<ProblemBody> {
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  const body = (await res.json()) as ProblemBody;
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  expect(body).toMatchObject({
    status,
    type: expect.stringContaining(code),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(body.request_id).toBe(res.headers.get("X-Request-Id"));
  return body;
}

/** The `n` that a `SELECT count(*) AS n …` finds in the test's D1. */
export const countRows = async (sql: string, ...params: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...params)
    .first<number>("n")) ?? 0;

let unique = 0;

export async function createStudent(
  fields: { name?: string; email?: string; sis_id?: string } = {},
) {
  unique += 1;
  const res = await api("/students", {
    method: "POST",
    json: { name: `Student ${unique}`, email: `student${unique}@example.org`, ...fields },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Student;
}

export async function createCourse(
  fields: { code?: string; title?: string; sis_id?: string } = {},
) {
  unique += 1;
  const res = await api("/courses", {
    method: "POST",
    json: { code: `C-${unique}`, title: `Course ${unique}`, ...fields },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Course;
}
