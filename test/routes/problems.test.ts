import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { api, appRequest, expectProblem } from "../helpers/api";
import { failingD1 } from "../helpers/failing-d1";
import { TEST_TOKENS } from "../helpers/tokens";

// The answers every route shares: errors as RFC 9457 problem documents, each with the
// request's id, and an unexpected failure as a 500 that gives nothing internal away.

describe("problem documents", () => {
  it("answers an unknown route with 404 not_found in RFC 9457 form", async () => {
    const res = await api("/nowhere");
    const problem = await expectProblem(res, 404, "not_found");
    expect(Object.keys(problem).sort()).toEqual([
      "code",
      "detail",
      "request_id",
      "status",
      "title",
      "type",
    ]);
  });

  it.each([
    ["PUT", "/students", "GET, POST, HEAD"],
    ["PUT", "/students/1", "GET, PATCH, DELETE, HEAD"],
    ["DELETE", "/courses", "GET, POST, HEAD"],
  ])("answers %s %s with 405 method_not_allowed and Allow: %s", async (method, path, allow) => {
    const res = await api(path, { method });
    expect(res.headers.get("Allow")).toBe(allow);
    await expectProblem(res, 405, "method_not_allowed");
  });

  it("answers HEAD like GET, without a body", async () => {
    const res = await api("/students", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
});

describe("request ids", () => {
  it("puts a fresh X-Request-Id on every response", async () => {
    const [a, b] = await Promise.all([api("/health", { token: null }), api("/students")]);
    expect(a.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.headers.get("X-Request-Id")).not.toBe(a.headers.get("X-Request-Id"));
  });

  it("never adopts an id the client sent: it would reach the logs verbatim", async () => {
    const res = await api("/nowhere", { headers: { "X-Request-Id": "client-chosen-id" } });
    const problem = await expectProblem(res, 404, "not_found");
    expect(problem.request_id).not.toBe("client-chosen-id");
    expect(problem.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("unexpected failures", () => {
  it("answers 500 internal_error with no internals, and logs the error with its stack", async () => {
    const errors = vi.spyOn(console, "error");
    const brokenDb = failingD1(new Error("D1_ERROR: secret internals"));
    const res = await appRequest(
      new Request("http://api.test/students/1", {
        headers: { Authorization: `Bearer ${TEST_TOKENS.write}` },
      }),
      { ...env, DB: brokenDb },
    );
    const problem = await expectProblem(res, 500, "internal_error");
    expect(JSON.stringify(problem)).not.toContain("secret internals");
    expect(errors).toHaveBeenCalledWith(
      expect.objectContaining({
        level: "error",
        request_id: problem.request_id,
        error: expect.objectContaining({ stack: expect.stringContaining("secret internals") }),
      }),
    );
    errors.mockRestore();
  });
});
