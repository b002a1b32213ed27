import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { PROBLEMS } from "../../src/http/problems";
import { createCourse, createStudent, type ProblemBody } from "../helpers/api";
import { expectDocumentedResponse } from "../helpers/contract";
import { TEST_TOKENS } from "../helpers/tokens";
import {
  anyJson,
  asBody,
  authorization,
  body,
  contentType,
  courseBody,
  enrollBody,
  extraHeaders,
  idempotencyKey,
  ifMatch,
  method,
  path,
  query,
  studentBody,
  webhookBody,
} from "./arbitraries";

// Property-based fuzzing of the whole Worker: thousands of generated requests, each checked
// for the invariants every client relies on. Every property runs from the seed in the test
// names; `FUZZ_SEED=<that seed> npm test` replays the run from a fresh database.

const SEED = Number(env.FUZZ_SEED) || Math.floor(Math.random() * 2 ** 31);
const RUNS = { any: 1200, writes: 800, reads: 300, existing: 300, imports: 150 };
// Generous: a run takes a few seconds here, and a slow CI machine must not fail it on time.
const TIMEOUT_MS = 120_000;

type Generated = {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | undefined>;
  body?: string | Uint8Array;
};

// The webhook queue's consumer works beside the requests, and writes these columns itself (a
// delivery's attempts, a subscription's health): the checksum leaves them out.
// So does an import's Workflow (its state, progress and counts).
const COLUMNS: Record<string, string> = {
  imports: "id, type, dry_run, object_key, size_bytes, created_at",
  webhook_deliveries: "id, subscription_id, event_id, created_at",
  webhook_subscriptions:
    "id, url, events, description, secret, previous_secret, previous_secret_until, created_at",
};
/** An import's Workflow remembers its file's keys and pairs here while it runs: left out whole. */
const WORKFLOW_TABLES = ["import_keys", "import_pairs"];

/** Every row of every table but `except`, in a fixed order: a rejected request must leave it as it was. */
async function checksum(except?: string): Promise<string> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name",
  ).all<{ name: string }>();
  expect(tables.map((t) => t.name)).toContain("change_clock");
  const read = tables.filter(({ name }) => name !== except && !WORKFLOW_TABLES.includes(name));
  const results = await env.DB.batch(
    read.map(({ name }) =>
      env.DB.prepare(`SELECT ${COLUMNS[name] ?? "*"} FROM ${name} ORDER BY 1, 2`),
    ),
  );
  return JSON.stringify(results.map((r) => r.results));
}

function toRequest(req: Generated): Request {
  const headers = new Headers(
    Object.entries(req.headers).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const hasBody = req.body !== undefined && req.method !== "GET" && req.method !== "HEAD";
  return new Request(`http://api.test${req.path}${req.query}`, {
    method: req.method,
    headers,
    body: hasBody ? req.body : undefined,
  });
}

/**
 * The invariants: never a 5xx; every 4xx a problem document of its own status; a rejection
 * or a replayed create changes nothing (but the Idempotency-Key that keeps a 409); and every
 * answer is one the OpenAPI document describes.
 */
async function checkInvariants(req: Generated): Promise<void> {
  const before = await checksum();
  // A create refused as a conflict (409) keeps that outcome under its Idempotency-Key, for a
  // retry: that table alone may change.
  const beforeKeys = await checksum("idempotency_keys");
  const request = toRequest(req);
  const res = await exports.default.fetch(request.clone());
  await expectDocumentedResponse(request, res);
  const label = `${req.method} ${req.path}${req.query} → ${res.status}`;
  expect(res.status, label).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get("Content-Type"), label).toBe("application/problem+json");
    if (req.method !== "HEAD") {
      const problem = (await res.json()) as ProblemBody;
      expect(problem.status, label).toBe(res.status);
      expect(PROBLEMS[problem.code]?.status, label).toBe(res.status);
      expect(problem.request_id, label).toBe(res.headers.get("X-Request-Id"));
    }
    const keptOutcome = res.status === 409 && req.headers["Idempotency-Key"] !== undefined;
    expect(
      await checksum(keptOutcome ? "idempotency_keys" : undefined),
      `${label} changed data`,
    ).toBe(keptOutcome ? beforeKeys : before);
  } else if (res.status !== 204 && req.method !== "HEAD") {
    await res.json(); // a success is JSON
    if (res.headers.get("Idempotent-Replayed"))
      expect(await checksum(), `${label} replayed, yet changed data`).toBe(before);
  }
}

const anyRequest = fc.record({
  method,
  path,
  query,
  headers: fc
    .tuple(authorization, contentType, extraHeaders)
    .map(([auth, type, extra]) => ({ Authorization: auth, "Content-Type": type, ...extra })),
  body: fc.option(body, { nil: undefined }),
});

/**
 * Well-authorised JSON writes, each route mostly with bodies of its own shape, so they reach
 * the validation and the database; some with an Idempotency-Key.
 */
const writeRequest = fc
  .oneof(
    fc.record({
      path: fc.constant("/students"),
      body: asBody(fc.oneof({ arbitrary: studentBody, weight: 3 }, anyJson)),
    }),
    fc.record({
      path: fc.constant("/courses"),
      body: asBody(fc.oneof({ arbitrary: courseBody, weight: 3 }, anyJson)),
    }),
    fc.record({
      path: fc.constantFrom("/students/1/courses", "/students/2/courses", "/students/99/courses"),
      body: asBody(fc.oneof({ arbitrary: enrollBody, weight: 3 }, anyJson)),
    }),
    fc.record({
      path: fc.constant("/webhooks"),
      body: asBody(fc.oneof({ arbitrary: webhookBody, weight: 3 }, anyJson)),
    }),
  )
  .chain((req) =>
    fc.option(idempotencyKey).map((key) => ({
      ...req,
      method: "POST",
      query: "",
      headers: {
        Authorization: `Bearer ${TEST_TOKENS.write}`,
        "Content-Type": "application/json",
        ...(key !== null && { "Idempotency-Key": key }),
      },
    })),
  );

/** Well-authorised partial updates, with and without If-Match, of rows that exist and do not. */
const updateRequest = fc
  .oneof(
    fc.record({
      path: fc.constantFrom("/students/1", "/students/2", "/students/99"),
      body: asBody(fc.oneof({ arbitrary: studentBody, weight: 3 }, anyJson)),
    }),
    fc.record({
      path: fc.constantFrom("/courses/1", "/courses/2", "/courses/99"),
      body: asBody(fc.oneof({ arbitrary: courseBody, weight: 3 }, anyJson)),
    }),
    fc.record({
      path: fc.constantFrom("/webhooks/1", "/webhooks/2", "/webhooks/99"),
      body: asBody(fc.oneof({ arbitrary: webhookBody, weight: 3 }, anyJson)),
    }),
  )
  .chain((req) =>
    fc.option(ifMatch).map((tag) => ({
      ...req,
      method: "PATCH",
      query: "",
      headers: {
        Authorization: `Bearer ${TEST_TOKENS.write}`,
        "Content-Type": "application/json",
        ...(tag !== null && { "If-Match": tag }),
      },
    })),
  );

/** Well-authorised reads with generated ids and query strings, so they reach the lists and lookups. */
const readRequest = fc.record({
  method: fc.constantFrom("GET", "DELETE"),
  path,
  query,
  headers: fc.constant({ Authorization: `Bearer ${TEST_TOKENS.write}` }),
});

/** Requests on rows that exist (ids 1 to 3), so the lookups, drops and rosters succeed too. */
const existingRowRequest = fc
  .tuple(
    fc.constantFrom("GET", "DELETE", "POST"),
    fc.constantFrom(
      "/students/$/courses/$",
      "/students/$/courses",
      "/courses/$/students",
      "/students/$",
      "/courses/$",
    ),
    fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 3 }),
    query,
  )
  .map(([m, template, a, b, q]) => ({
    method: m,
    path: template.replace("$", String(a)).replace("$", String(b)),
    query: q,
    headers: { Authorization: `Bearer ${TEST_TOKENS.write}`, "Content-Type": "application/json" },
    body: m === "POST" ? JSON.stringify({ course_id: b }) : undefined,
  }));

/**
 * Uploads of CSV files for a dry run (so no Workflow writes a student while later requests
 * are checked): well-formed headers with rows of any text, and text of any shape, quotes,
 * commas and line breaks included.
 */
const csvField = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('"', '""', '"a,b"', '"x\ny"', "\r", "\u0000", "\ufeff"),
);
/** A file of `type`: its own header with generated rows, or any text. */
const csvText = (header: string) =>
  fc.oneof(
    fc
      .array(fc.array(csvField, { maxLength: 5 }), { maxLength: 6 })
      .map((rows) => [header, ...rows.map((r) => r.join(","))].join("\n")),
    fc.string({ maxLength: 200 }),
    fc.constantFrom("", "\ufeff", header, `"${header}`, `${header},x\n`),
  );
const HEADERS = {
  students: "sis_id,name,email",
  courses: "sis_id,code,title,capacity,waitlist_capacity",
  enrollments: "student_sis_id,course_sis_id,status",
};
const importRequest = fc
  .constantFrom("students", "courses", "enrollments" as const)
  .chain((type) =>
    fc.tuple(
      fc.constant(type),
      csvText(HEADERS[type]),
      fc.constantFrom("text/csv", "text/csv; charset=utf-8", "text/plain"),
      fc.constantFrom("", "&mode=sync", "&mode=sync&max_drop_percent=0"),
    ),
  )
  .map(([type, csv, mediaType, mode]) => ({
    method: "POST",
    path: "/imports",
    query: `?type=${type}${mode}&dry_run=true`,
    headers: { Authorization: `Bearer ${TEST_TOKENS.write}`, "Content-Type": mediaType },
    body: csv,
  }));

beforeAll(async () => {
  // Three of each; the first student has an active enrollment and a dropped one. The third
  // course is full: one seat, taken by the second student, and one place in line, the third's.
  const [student, second, third] = [
    await createStudent(),
    await createStudent(),
    await createStudent(),
  ];
  const [active, dropped, full] = [
    await createCourse(),
    await createCourse(),
    await createCourse(),
  ];
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO student_courses (student_id, course_id, status, dropped_at) VALUES (?, ?, 'active', NULL), (?, ?, 'dropped', '2026-01-01T00:00:00.000Z')",
    ).bind(student.id, active.id, student.id, dropped.id),
    env.DB.prepare("UPDATE courses SET capacity = 1, waitlist_capacity = 1 WHERE id = ?").bind(
      full.id,
    ),
    env.DB.prepare(
      "INSERT INTO student_courses (student_id, course_id, waitlist_seq) VALUES (?, ?, NULL), (?, ?, 1)",
    ).bind(second.id, full.id, third.id, full.id),
  ]);
});

const total = Object.values(RUNS).reduce((a, b) => a + b);

describe(`fuzzing (FUZZ_SEED=${SEED}, ${total} generated requests)`, () => {
  it(`any request: ${RUNS.any} generated methods, paths, queries, headers and bodies`, {
    timeout: TIMEOUT_MS,
  }, async () => {
    await fc.assert(fc.asyncProperty(anyRequest, checkInvariants), {
      seed: SEED,
      numRuns: RUNS.any,
    });
  });

  it(`write bodies: ${RUNS.writes} generated JSON bodies (creates, enrolls, updates) with a valid token`, {
    timeout: TIMEOUT_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ arbitrary: writeRequest, weight: 3 }, updateRequest),
        checkInvariants,
      ),
      { seed: SEED, numRuns: RUNS.writes },
    );
  });

  it(`reads and deletes: ${RUNS.reads} generated paths and query strings with a valid token`, {
    timeout: TIMEOUT_MS,
  }, async () => {
    await fc.assert(fc.asyncProperty(readRequest, checkInvariants), {
      seed: SEED,
      numRuns: RUNS.reads,
    });
  });

  it(`existing rows: ${RUNS.existing} lookups, enrolls, drops and rosters of rows that exist`, {
    timeout: TIMEOUT_MS,
  }, async () => {
    await fc.assert(fc.asyncProperty(existingRowRequest, checkInvariants), {
      seed: SEED,
      numRuns: RUNS.existing,
    });
  });

  it(`imports: ${RUNS.imports} generated CSV files for a dry run`, {
    timeout: TIMEOUT_MS,
  }, async () => {
    await fc.assert(fc.asyncProperty(importRequest, checkInvariants), {
      seed: SEED,
      numRuns: RUNS.imports,
    });
  });
});
