import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/index";
import { api, createStudent } from "../helpers/api";
import { failingD1 } from "../helpers/failing-d1";
import { TEST_TOKENS } from "../helpers/tokens";

describe("security headers", () => {
  it("are on every response, successes and errors alike", async () => {
    const student = await createStudent();
    const responses = await Promise.all([
      api("/health", { token: null }),
      api("/students"),
      api(`/students/${student.id}`, { method: "DELETE" }),
      api("/students/abc"),
      api("/students", { token: null }),
      api("/nowhere"),
      api("/students", { method: "PUT" }),
      app.request(
        "/students",
        { headers: { Authorization: `Bearer ${TEST_TOKENS.write}` } },
        { ...env, DB: failingD1(new TypeError("bug")) },
      ),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 204, 400, 401, 404, 405, 500]);
    for (const [i, res] of responses.entries()) {
      // The two successful reads may be kept by the client's cache, if revalidated; nothing else.
      const cacheControl = i < 2 ? "private, no-cache" : "no-store";
      expect(
        Object.fromEntries([...res.headers].filter(([name]) => SECURITY_HEADERS.includes(name))),
      ).toEqual({
        "cache-control": cacheControl,
        "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
        "cross-origin-resource-policy": "same-origin",
        "referrer-policy": "no-referrer",
        "strict-transport-security": "max-age=15552000; includeSubDomains",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
      });
    }
  });
});

const SECURITY_HEADERS = [
  "cache-control",
  "content-security-policy",
  "cross-origin-resource-policy",
  "referrer-policy",
  "strict-transport-security",
  "x-content-type-options",
  "x-frame-options",
];

describe("CORS", () => {
  const ORIGIN = "https://portal.school.example";
  const withOrigins = { ...env, ALLOWED_ORIGINS: `${ORIGIN}, https://admin.school.example` };
  const preflight = (origin: string, { path = "/students", method = "POST", headers = "" } = {}) =>
    new Request(`http://api.test${path}`, {
      method: "OPTIONS",
      headers: {
        Origin: origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": `authorization, content-type${headers}`,
      },
    });

  it("is off by default: no CORS headers, and a preflight is a plain 405", async () => {
    const res = await api("/students", { headers: { Origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const pre = await app.request(preflight(ORIGIN), undefined, env);
    expect(pre.status).toBe(405);
    expect(pre.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("answers an allowed origin's preflight without a token", async () => {
    const res = await app.request(preflight(ORIGIN), undefined, withOrigins);
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(ORIGIN);
    expect(res.headers.get("Access-Control-Allow-Methods")).toContain("POST");
    expect(res.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain(
      "authorization",
    );
    expect(res.headers.get("Access-Control-Max-Age")).toBe("600");
  });

  it("lets an allowed origin update with If-Match: PATCH and the header pass the preflight", async () => {
    const res = await app.request(
      preflight(ORIGIN, { path: "/students/1", method: "PATCH", headers: ", if-match" }),
      undefined,
      withOrigins,
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Methods")?.split(",")).toContain("PATCH");
    expect(res.headers.get("Access-Control-Allow-Headers")?.toLowerCase().split(",")).toContain(
      "if-match",
    );
  });

  it("lets an allowed origin retry creates safely: Idempotency-Key passes the preflight, Idempotent-Replayed is readable", async () => {
    const res = await app.request(
      preflight(ORIGIN, { headers: ", idempotency-key" }),
      undefined,
      withOrigins,
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Headers")?.toLowerCase().split(",")).toContain(
      "idempotency-key",
    );
    const create = await app.request(
      "/students",
      {
        method: "POST",
        headers: {
          Origin: ORIGIN,
          Authorization: `Bearer ${TEST_TOKENS.write}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ name: "Cors", email: "cors@example.org" }),
      },
      withOrigins,
      createExecutionContext(),
    );
    expect(create.status).toBe(201);
    expect(create.headers.get("Access-Control-Expose-Headers")?.split(",")).toEqual(
      expect.arrayContaining(["ETag", "Location", "Idempotent-Replayed"]),
    );
  });

  it("lets an allowed origin read the response and its useful headers", async () => {
    const res = await app.request(
      "/students",
      { headers: { Origin: ORIGIN, Authorization: `Bearer ${TEST_TOKENS.read}` } },
      withOrigins,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(ORIGIN);
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
    expect(res.headers.get("Vary")).toBe("Origin, Authorization");
  });

  it("gives any other origin nothing, and still needs a token from everyone", async () => {
    const other = await app.request(preflight("https://evil.example"), undefined, withOrigins);
    expect(other.status).toBe(405);
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const anonymous = await app.request("/students", { headers: { Origin: ORIGIN } }, withOrigins);
    expect(anonymous.status).toBe(401);
  });
});
