import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { api, appRequest, expectProblem } from "../helpers/api";
import { failingD1 } from "../helpers/failing-d1";
import { TEST_TOKENS } from "../helpers/tokens";

const countStudents = () => env.DB.prepare("SELECT count(*) AS n FROM students").first<number>("n");

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

describe("request bodies", () => {
  const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
    api("/students", { method: "POST", body, headers });

  it.each([
    ["text/plain", { "Content-Type": "text/plain" }],
    ["form data", { "Content-Type": "application/x-www-form-urlencoded" }],
    ["no content type", {}],
    ["another JSON-based type", { "Content-Type": "application/merge-patch+json" }],
  ])("refuses %s: 415 unsupported_media_type, nothing stored", async (_, headers) => {
    const before = await countStudents();
    await expectProblem(
      await post('{"name":"A","email":"media@example.org"}', headers),
      415,
      "unsupported_media_type",
    );
    expect(await countStudents()).toBe(before);
  });

  it("accepts application/json with a charset parameter", async () => {
    const res = await post('{"name":"A","email":"charset@example.org"}', {
      "Content-Type": "application/json; charset=utf-8",
    });
    expect(res.status).toBe(201);
  });

  it.each(['{"name":', "", "{'name':'A'}", '{"name":"A",}'])(
    "refuses the malformed JSON %j: 400 invalid_json",
    async (body) => {
      await expectProblem(
        await post(body, { "Content-Type": "application/json" }),
        400,
        "invalid_json",
      );
    },
  );

  it.each(["[]", "null", '"text"', "42"])(
    "refuses the JSON %s where an object belongs: 400 validation_failed",
    async (body) => {
      const problem = await expectProblem(
        await post(body, { "Content-Type": "application/json" }),
        400,
        "validation_failed",
      );
      expect(problem.errors).toEqual([{ path: "body", message: "must be a JSON object" }]);
    },
  );

  it("refuses a body over 16 KiB: 413 payload_too_large, nothing stored", async () => {
    const before = await countStudents();
    const body = JSON.stringify({ name: "x".repeat(16 * 1024), email: "big@example.org" });
    await expectProblem(
      await post(body, { "Content-Type": "application/json" }),
      413,
      "payload_too_large",
    );
    expect(await countStudents()).toBe(before);
  });

  /** A POST whose 24 KiB body arrives as a stream, so its size is known only once read. */
  const streamedPost = (headers: Record<string, string> = {}) => {
    const chunk = new TextEncoder().encode(" ".repeat(8 * 1024));
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 3; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    return new Request("http://api.test/students", {
      method: "POST",
      body,
      headers: {
        Authorization: `Bearer ${TEST_TOKENS.write}`,
        "Content-Type": "application/json",
        ...headers,
      },
    });
  };

  it("refuses a body over 16 KiB sent without Content-Length (streamed)", async () => {
    const req = streamedPost();
    expect(req.headers.get("Content-Length")).toBeNull();
    await expectProblem(await appRequest(req, env), 413, "payload_too_large");
  });

  it("refuses a body over 16 KiB whose Content-Length claims it is small", async () => {
    const req = streamedPost({ "Content-Length": "40" });
    expect(req.headers.get("Content-Length")).toBe("40");
    await expectProblem(await appRequest(req, env), 413, "payload_too_large");
  });

  it("refuses a body that is not UTF-8: 400 invalid_json", async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"name":"A'),
      0xff,
      0xfe,
      ...new TextEncoder().encode('","email":"utf@example.org"}'),
    ]);
    await expectProblem(
      await post(bytes, { "Content-Type": "application/json" }),
      400,
      "invalid_json",
    );
  });

  it("refuses JSON nested deeper than 16 levels: 400 validation_failed", async () => {
    const deep = `{"name":${"[".repeat(16)}1${"]".repeat(16)},"email":"deep@example.org"}`;
    const problem = await expectProblem(
      await post(deep, { "Content-Type": "application/json" }),
      400,
      "validation_failed",
    );
    expect(problem.errors).toEqual([
      { path: "body", message: "must not nest deeper than 16 levels" },
    ]);
  });

  it("refuses a key given twice, since parsers disagree on which one wins", async () => {
    const before = await countStudents();
    const body = '{"name":"First","name":"Second","email":"twice@example.org"}';
    const problem = await expectProblem(
      await post(body, { "Content-Type": "application/json" }),
      400,
      "validation_failed",
    );
    expect(problem.errors).toEqual([{ path: "body.name", message: "appears more than once" }]);
    expect(await countStudents()).toBe(before);
  });

  it("accepts a body of exactly 16 KiB", async () => {
    const json = '{"name":"Exact","email":"exact@example.org"}';
    const res = await post(json + " ".repeat(16 * 1024 - json.length), {
      "Content-Type": "application/json",
    });
    expect(res.status).toBe(201);
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
