import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/index";
import { api, appRequest, countRows, createStudent, expectProblem } from "../helpers/api";
import { TEST_TOKENS } from "../helpers/tokens";

describe("auth", () => {
  it("lets a health probe in without a token", async () => {
    const res = await api("/health", { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("refuses a request with no token: 401 with a Bearer challenge", async () => {
    const res = await api("/students", { token: null });
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="enrollment-api"');
    await expectProblem(res, 401, "unauthorized");
  });

  it.each([
    ["a wrong token", { Authorization: "Bearer nope" }],
    ["a token with extra characters", { Authorization: `Bearer ${TEST_TOKENS.write}x` }],
    ["a prefix of a token", { Authorization: `Bearer ${TEST_TOKENS.write.slice(0, -1)}` }],
    ["another scheme", { Authorization: `Basic ${btoa("user:pass")}` }],
    ["an empty bearer", { Authorization: "Bearer " }],
  ])("refuses %s: 401", async (_, headers) => {
    const res = await api("/students", { token: null, headers });
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer /);
    await expectProblem(res, 401, "unauthorized");
  });

  it("accepts every token of a comma-separated list, and the scheme in any case", async () => {
    expect((await api("/students", { token: TEST_TOKENS.rotated })).status).toBe(200);
    expect(
      (
        await api("/students", {
          token: null,
          headers: { Authorization: `bearer ${TEST_TOKENS.write}` },
        })
      ).status,
    ).toBe(200);
  });

  it("lets a read-only token read but not write: 403 insufficient_scope, nothing changed", async () => {
    const student = await createStudent();
    expect((await api(`/students/${student.id}`, { token: TEST_TOKENS.read })).status).toBe(200);

    const created = await api("/students", {
      method: "POST",
      token: TEST_TOKENS.read,
      json: { name: "R", email: "reader@example.org" },
    });
    expect(created.headers.get("WWW-Authenticate")).toContain('error="insufficient_scope"');
    await expectProblem(created, 403, "insufficient_scope");
    await expectProblem(
      await api(`/students/${student.id}`, { method: "DELETE", token: TEST_TOKENS.read }),
      403,
      "insufficient_scope",
    );

    expect(
      await countRows("SELECT count(*) AS n FROM students WHERE email = 'reader@example.org'"),
    ).toBe(0);
    expect((await api(`/students/${student.id}`)).status).toBe(200);
  });

  it.each([
    ["PUT /health with no token", "PUT", "/health", null, 405],
    ["PUT /students with a read-only token", "PUT", "/students", TEST_TOKENS.read, 405],
    ["POST /nowhere with a read-only token", "POST", "/nowhere", TEST_TOKENS.read, 404],
    ["OPTIONS /students with a read-only token", "OPTIONS", "/students", TEST_TOKENS.read, 405],
  ])(
    "answers a request no route serves with its 404 or 405, before any token check: %s",
    async (_, method, path, token, status) => {
      const res = await api(path, { method, token });
      await expectProblem(res, status, status === 405 ? "method_not_allowed" : "not_found");
    },
  );

  it.each([
    ["no token is configured", {}],
    ["the token lists are empty", { API_TOKEN: "", API_READ_TOKEN: " , " }],
  ])("fails closed when %s: every protected route answers 401", async (_, tokens) => {
    const unconfigured = { ...env, API_TOKEN: undefined, API_READ_TOKEN: undefined, ...tokens };
    for (const path of ["/students", "/courses", "/students/1"]) {
      const res = await appRequest(
        new Request(`http://api.test${path}`, {
          headers: { Authorization: `Bearer ${TEST_TOKENS.write}` },
        }),
        unconfigured,
      );
      await expectProblem(res, 401, "unauthorized");
    }
    expect((await app.request("/health", {}, unconfigured)).status).toBe(200);
  });
});
