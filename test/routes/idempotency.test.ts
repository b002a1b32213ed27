import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Course } from "../../src/courses/responses";
import worker from "../../src/index";
import { sha256, toHex } from "../../src/lib/digest";
import type { Student } from "../../src/students/responses";
import wranglerToml from "../../wrangler.toml?raw";
import { api, countRows, expectProblem } from "../helpers/api";
import { spyOnD1 } from "../helpers/d1-spy";
import { failingD1 } from "../helpers/failing-d1";
import { TEST_TOKENS } from "../helpers/tokens";

// Idempotency-Key on POST /students and POST /courses: a retried create gets the first answer
// and creates nothing; the key is scoped to the token, kept 24 hours, then deleted by the cron.

let unique = 0;
const newKey = () => `key-${++unique}-${crypto.randomUUID()}`;
const newStudent = () => ({ name: `Retry ${++unique}`, email: `retry${unique}@example.org` });

const post = (path: string, json: unknown, key?: string, token: string = TEST_TOKENS.write) =>
  api(path, {
    method: "POST",
    json,
    token,
    headers: key === undefined ? {} : { "Idempotency-Key": key },
  });

const count = (from: string, ...params: unknown[]) =>
  countRows(`SELECT count(*) AS n FROM ${from}`, ...params);
const studentsWithEmail = (email: string) => count("students WHERE email = ?", email);

/** The answer as a client sees it: status, the headers that matter, and the body. */
const answer = async <T = Student>(res: Response) => ({
  status: res.status,
  location: res.headers.get("Location"),
  etag: res.headers.get("ETag"),
  body: (await res.json()) as T,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a create with an Idempotency-Key", () => {
  it("answers a retry with the first answer, marked as a replay, and creates nothing more", async () => {
    const [key, body] = [newKey(), newStudent()];
    const first = await post("/students", body, key);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const original = await answer(first);
    expect(original).toMatchObject({ status: 201, etag: '"r3.1"', body: { email: body.email } });

    const retry = await post("/students", body, key);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await answer(retry)).toEqual(original);
    expect(await studentsWithEmail(body.email)).toBe(1);
  });

  it("replays the record as it was created, even after it changed", async () => {
    const [key, body] = [newKey(), newStudent()];
    const original = await answer(await post("/students", body, key));
    const renamed = await api(`${original.location}`, {
      method: "PATCH",
      json: { name: "Renamed since" },
    });
    expect(renamed.headers.get("ETag")).toBe('"r3.2"');
    expect(await answer(await post("/students", body, key))).toEqual(original);
  });

  it("counts a body that validates to the same request as the same: spacing, key order, the email's case", async () => {
    const key = newKey();
    const original = await answer(
      await post("/students", { name: "Same Person", email: "same.person@example.org" }, key),
    );
    const retry = await post(
      "/students",
      { email: " SAME.Person@example.org ", name: "  Same Person" },
      key,
    );
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await answer(retry)).toEqual(original);
  });

  it("refuses the key with a different body, or on the other create route: 422 idempotency_key_reused, nothing created", async () => {
    const [key, body] = [newKey(), newStudent()];
    await post("/students", body, key);
    const other = newStudent();
    const problem = await expectProblem(
      await post("/students", other, key),
      422,
      "idempotency_key_reused",
    );
    expect(problem.detail).toContain("different request");
    await expectProblem(
      await post("/courses", { code: `KEY-${unique}`, title: "Keys" }, key),
      422,
      "idempotency_key_reused",
    );
    expect(await studentsWithEmail(other.email)).toBe(0);
    expect(await count("courses WHERE code = ?", `KEY-${unique}`)).toBe(0);
  });

  it("scopes keys to the token: another token's same key is a new request", async () => {
    const key = newKey();
    const mine = await answer(await post("/students", newStudent(), key, TEST_TOKENS.write));
    const theirs = await post("/students", newStudent(), key, TEST_TOKENS.rotated);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("Idempotent-Replayed")).toBeNull();
    expect(((await theirs.json()) as Student).id).not.toBe(mine.body.id);
    // Each token's retry gets its own record back.
    expect(
      await answer(
        await post(
          "/students",
          { name: mine.body.name, email: mine.body.email },
          key,
          TEST_TOKENS.write,
        ),
      ),
    ).toEqual(mine);
  });

  it("keeps a key under the token's SHA-256, never the token, so keys outlive a deploy", async () => {
    const key = newKey();
    await post("/students", newStudent(), key, TEST_TOKENS.rotated);
    const hex = toHex(await sha256(TEST_TOKENS.rotated));
    expect(await count("idempotency_keys WHERE key = ? AND scope = ?", key, hex)).toBe(1);
    expect(await count("idempotency_keys WHERE scope LIKE ?", `%${TEST_TOKENS.rotated}%`)).toBe(0);
  });

  it("works the same for courses", async () => {
    const [key, body] = [newKey(), { code: `IDEM-${++unique}`, title: "Retries" }];
    const original = await answer<Course>(await post("/courses", body, key));
    expect(original).toMatchObject({
      status: 201,
      location: `/courses/${original.body.id}`,
      etag: '"r3.1.0.0"',
    });
    const retry = await post("/courses", body, key);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await answer(retry)).toEqual(original);
    expect(await count("courses WHERE code = ?", body.code)).toBe(1);
  });

  it("replays a 409 too: once refused, a retry is refused, even after the email is free", async () => {
    const [key, taken] = [newKey(), newStudent()];
    const holder = (await (await post("/students", taken)).json()) as Student;
    const body = { name: "Other", email: taken.email };
    const first = await post("/students", body, key);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    await expectProblem(first, 409, "email_taken");
    const retry = await post("/students", body, key);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    await expectProblem(retry, 409, "email_taken");

    expect((await api(`/students/${holder.id}`, { method: "DELETE" })).status).toBe(204);
    const later = await post("/students", body, key);
    expect(later.headers.get("Idempotent-Replayed")).toBe("true");
    await expectProblem(later, 409, "email_taken");
    expect(await studentsWithEmail(taken.email)).toBe(0);
    await expectProblem(await post("/students", newStudent(), key), 422, "idempotency_key_reused");
  });

  it("replays a refusal stored before keys named the taken field as the email's", async () => {
    const [key, taken] = [newKey(), newStudent()];
    await post("/students", taken);
    const body = { name: "Other", email: taken.email, sis_id: `OLD-${unique}` };
    await expectProblem(await post("/students", body, key), 409, "email_taken");
    // A key stored by the Worker before migrations/0009 holds NULL for a refusal.
    await env.DB.prepare("UPDATE idempotency_keys SET created = NULL WHERE key = ?")
      .bind(key)
      .run();
    const retry = await post("/students", body, key);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    await expectProblem(retry, 409, "email_taken");
  });

  it("keeps nothing for a request refused before it ran (400), so its key stays free", async () => {
    const key = newKey();
    await expectProblem(
      await post("/students", { name: "No email" }, key),
      400,
      "validation_failed",
    );
    expect(await count("idempotency_keys WHERE key = ?", key)).toBe(0);
    const body = newStudent();
    expect((await post("/students", body, key)).status).toBe(201);
    expect(await studentsWithEmail(body.email)).toBe(1);
  });

  it("creates one record from concurrent requests with one key: the others replay it", async () => {
    const [key, body] = [newKey(), newStudent()];
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post("/students", body, key)),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(10).fill(201));
    expect(answers.filter((res) => res.headers.get("Idempotent-Replayed") === null)).toHaveLength(
      1,
    );
    expect(
      new Set(await Promise.all(answers.map(async (res) => ((await res.json()) as Student).id)))
        .size,
    ).toBe(1);
    expect(await studentsWithEmail(body.email)).toBe(1);
    expect(await count("idempotency_keys WHERE key = ?", key)).toBe(1);
  });

  it("lets one of concurrent different requests with one key create; the rest get 422", async () => {
    const key = newKey();
    const bodies = Array.from({ length: 5 }, newStudent);
    const answers = await Promise.all(bodies.map((body) => post("/students", body, key)));
    expect(answers.map((res) => res.status).sort()).toEqual([201, 422, 422, 422, 422]);
    const created = await Promise.all(bodies.map((body) => studentsWithEmail(body.email)));
    expect(created.reduce((a, b) => a + b)).toBe(1);
  });

  it("forgets a key after 24 hours: the same key then makes a new request", async () => {
    const [key, body] = [newKey(), newStudent()];
    await post("/students", body, key);
    await env.DB.prepare(
      "UPDATE idempotency_keys SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day', '-1 second') WHERE key = ?",
    )
      .bind(key)
      .run();
    const other = newStudent();
    const res = await post("/students", other, key);
    expect(res.headers.get("Idempotent-Replayed")).toBeNull();
    const fresh = await answer(res);
    expect(fresh).toMatchObject({ status: 201, body: { email: other.email } });
    // The key now answers for the new record.
    expect(await answer(await post("/students", other, key))).toEqual(fresh);
  });

  it("logs the create once, and a replay as replayed, never the key", async () => {
    const key = `secret-looking-${crypto.randomUUID()}`;
    const body = newStudent();
    const log = vi.spyOn(console, "log");
    await post("/students", body, key);
    await post("/students", body, key);
    const lines = log.mock.calls.map(([line]) => line as Record<string, unknown>);
    expect(lines.filter((line) => line.event === "student.created")).toHaveLength(1);
    expect(lines.filter((line) => line.message === "request").map((line) => line.replayed)).toEqual(
      [undefined, true],
    );
    expect(JSON.stringify(log.mock.calls)).not.toContain(key);
  });
});

describe("a malformed Idempotency-Key", () => {
  it.each([
    ["empty", ""],
    ["256 characters", "k".repeat(256)],
    ["not ASCII", "cl\xe9"],
    ["a control character", "tab\there"],
    ["DEL", "del\x7f"],
  ])("(%s) is a 400 on header.Idempotency-Key, and creates nothing", async (_, key) => {
    const body = newStudent();
    const problem = await expectProblem(
      await post("/students", body, key),
      400,
      "validation_failed",
    );
    expect(problem.errors).toEqual([
      { path: "header.Idempotency-Key", message: expect.any(String) },
    ]);
    expect(await studentsWithEmail(body.email)).toBe(0);
  });

  it("of 1 and of 255 printable characters, spaces and quotes included, is a key", async () => {
    for (const key of [
      "k",
      "x".repeat(255),
      `"8e03978e-40d5-43e8-bc93-6894a57f9324"`,
      "a key ~!@#$%^&*()",
    ]) {
      const body = newStudent();
      expect((await post("/students", body, key)).status).toBe(201);
      expect((await post("/students", body, key)).headers.get("Idempotent-Replayed")).toBe("true");
    }
  });
});

describe("without an Idempotency-Key", () => {
  it("a repeated create is refused as before: 409 email_taken, no replay", async () => {
    const [body, keys] = [newStudent(), await count("idempotency_keys")];
    expect((await post("/students", body)).status).toBe(201);
    const again = await post("/students", body);
    await expectProblem(again, 409, "email_taken");
    expect(again.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await count("idempotency_keys")).toBe(keys);
  });
});

describe("the hourly Cron Trigger", () => {
  // The schedule wrangler.toml gives Cloudflare: without it, keys would pile up.
  const CRONS = wranglerToml.match(/^\[triggers\]\ncrons = \[(.+)\]$/m)?.[1] ?? "";
  const CRON = CRONS.match(/"(\d{1,2} \* \* \* \*)"/)?.[1] ?? "";

  it("is scheduled hourly in wrangler.toml", () => {
    expect(CRON).toMatch(/^\d{1,2} \* \* \* \*$/);
  });

  const age = (key: string, interval: string) =>
    env.DB.prepare(
      `UPDATE idempotency_keys SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?) WHERE key = ?`,
    )
      .bind(interval, key)
      .run();

  async function runCron(bindings: Cloudflare.Env = env) {
    const controller = createScheduledController({ cron: CRON, scheduledTime: new Date() });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, bindings, ctx);
    await waitOnExecutionContext(ctx);
  }

  it("deletes the keys older than 24 hours and keeps the rest", async () => {
    const [old, recent] = [newKey(), newKey()];
    await post("/students", newStudent(), old);
    await post("/students", newStudent(), recent);
    await age(old, "-25 hours");
    await age(recent, "-23 hours");
    const log = vi.spyOn(console, "log");
    await runCron();
    expect(await count("idempotency_keys WHERE key = ?", old)).toBe(0);
    expect(await count("idempotency_keys WHERE key = ?", recent)).toBe(1);
    expect(log.mock.calls.map(([line]) => line)).toContainEqual({
      level: "info",
      message: "idempotency_keys.expired",
      cron: CRON,
      deleted: 1,
    });
  });

  it("deletes any number of expired keys, in chunks of 1,000 so that no statement runs long", async () => {
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500)
       INSERT INTO idempotency_keys (scope, key, fingerprint, created, created_at)
       SELECT 'bulk', 'bulk-' || i, 'f', '{}', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-2 days') FROM n`,
    ).run();
    const spy = spyOnD1(env.DB);
    await runCron({ ...env, DB: spy.db });
    expect(await count("idempotency_keys WHERE scope = 'bulk'")).toBe(0);
    // Three chunks of keys, then one statement for the webhook events the same run expires.
    expect(spy.calls()).toBe(4);
  });

  it("logs a failed run without its data, and fails it", async () => {
    const error = vi.spyOn(console, "error");
    await expect(
      runCron({ ...env, DB: failingD1(new Error("D1_ERROR: database is unavailable")) }),
    ).rejects.toThrow();
    expect(error.mock.calls.map(([line]) => line)).toContainEqual({
      level: "error",
      message: "scheduled run failed",
      cron: CRON,
      error: expect.objectContaining({ message: "D1_ERROR: database is unavailable" }),
    });
  });
});
