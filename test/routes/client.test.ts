import { exports } from "cloudflare:workers";
import { hc } from "hono/client";
import { expect, it } from "vitest";
import type { AppType } from "../../src/index";
import { expectDocumentedResponse } from "../helpers/contract";
import { TEST_TOKENS } from "../helpers/tokens";

// The typed client a TypeScript consumer gets from the app's type, driven through the
// Worker's own fetch. Paths, parameters, bodies and response bodies are all typed.

const client = hc<AppType>("http://api.test", {
  // Through the Worker's own fetch, each answer checked against the OpenAPI document.
  fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const response = await exports.default.fetch(request.clone());
    await expectDocumentedResponse(request, response);
    return response;
  },
  headers: { Authorization: `Bearer ${TEST_TOKENS.write}` },
});

it("drives the enrollment flow with typed routes", async () => {
  const studentRes = await client.students.$post({
    json: { name: "Typed Client", email: "typed@example.org" },
  });
  expect(studentRes.status).toBe(201);
  const student = await studentRes.json();
  const course = await (
    await client.courses.$post({ json: { code: "HC-1", title: "Typed" } })
  ).json();
  if (!("id" in student) || !("id" in course)) throw new Error("expected created resources");

  const id = String(student.id);
  const enrolled = await client.students[":id"].courses.$post({
    param: { id },
    json: { course_id: course.id },
  });
  expect(enrolled.status).toBe(201);
  expect(
    (await client.students[":id"].courses.$post({ param: { id }, json: { course_id: course.id } }))
      .status,
  ).toBe(200);

  const list = await (
    await client.students[":id"].courses.$get({ param: { id }, query: { status: "active" } })
  ).json();
  if (!("data" in list)) throw new Error("expected a page");
  expect(list.data.map((e) => e.course.code)).toEqual(["HC-1"]);

  const dropped = await client.students[":id"].courses[":course_id"].$delete({
    param: { id, course_id: String(course.id) },
  });
  expect(dropped.status).toBe(204);

  const roster = await (
    await client.courses[":id"].students.$get({
      param: { id: String(course.id) },
      query: { status: "all" },
    })
  ).json();
  if (!("data" in roster)) throw new Error("expected a page");
  expect(roster.data.map((e) => [e.student.email, e.status])).toEqual([
    ["typed@example.org", "dropped"],
  ]);
});
