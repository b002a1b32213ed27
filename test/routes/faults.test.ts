import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appRequest, expectProblem } from "../helpers/api";
import { failingD1 } from "../helpers/failing-d1";
import { TEST_TOKENS } from "../helpers/tokens";

// When D1 fails, the client gets a problem it can act on and nothing internal; the log gets
// the error with its stack.

const request = (db: D1Database, path = "/students/1", init: RequestInit = {}) =>
  appRequest(
    new Request(`http://api.test${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${TEST_TOKENS.write}`, ...init.headers },
    }),
    { ...env, DB: db },
  );

const enroll = (db: D1Database) =>
  request(db, "/students/1/courses", {
    method: "POST",
    body: '{"course_id":1}',
    headers: { "Content-Type": "application/json" },
  });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a passing D1 fault", () => {
  it.each([
    "D1_ERROR: Network connection lost.",
    "D1 DB is overloaded. Too many requests queued.",
    "D1_ERROR: Internal error in D1 DB storage caused object to be reset.",
    "D1 DB storage operation exceeded timeout which caused object to be reset.",
  ])("%s → 503 service_unavailable with Retry-After", async (message) => {
    const errors = vi.spyOn(console, "error");
    for (const res of [
      await request(failingD1(new Error(message))),
      await enroll(failingD1(new Error(message))),
    ]) {
      expect(res.headers.get("Retry-After")).toBe("1");
      const problem = await expectProblem(res, 503, "service_unavailable");
      expect(JSON.stringify(problem)).not.toContain(message);
    }
    expect(errors).toHaveBeenCalledWith(
      expect.objectContaining({
        level: "error",
        message: "database unavailable",
        error: expect.objectContaining({ stack: expect.stringContaining(message) }),
      }),
    );
  });
});

describe("a bug", () => {
  it.each([
    ["a SQLite error", new Error("D1_ERROR: no such table: students: SQLITE_ERROR")],
    ["a type error", new TypeError("Cannot read properties of undefined")],
  ])("%s → 500 internal_error, no Retry-After, no internals", async (_, error) => {
    const errors = vi.spyOn(console, "error");
    const res = await request(failingD1(error));
    expect(res.headers.get("Retry-After")).toBeNull();
    const problem = await expectProblem(res, 500, "internal_error");
    expect(JSON.stringify(problem)).not.toContain(error.message);
    expect(errors).toHaveBeenCalledWith(
      expect.objectContaining({ level: "error", message: "unhandled error" }),
    );
  });
});
