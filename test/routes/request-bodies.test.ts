import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, appRequest, countRows, expectProblem } from "../helpers/api";
import { TEST_TOKENS } from "../helpers/tokens";

// What every route that takes a body accepts: JSON only, at most 16 KiB, UTF-8, at most 16
// levels deep, each key once. Anything else is refused before it reaches a route.

const countStudents = () => countRows("SELECT count(*) AS n FROM students");

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
