import { expect, it } from "vitest";
import apiDoc from "../../docs/api.md?raw";
import document from "../../public/openapi.json";
import { PROBLEMS } from "../../src/http/problems";
import { expectDocumentedResponse } from "../helpers/contract";

// docs/api.md is written by hand; these keep it in agreement with the code and with the
// OpenAPI document (which is generated from the code).

type Paths = Record<string, Record<string, { responses: Record<string, unknown> }>>;
const paths = document.paths as Paths;
const operations = Object.entries(paths).flatMap(([path, methods]) =>
  Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
);

it("docs/api.md lists every error code with its status, and no other", () => {
  const documented = [...apiDoc.matchAll(/^\| `(\w+)` \| (\d{3}) \|/gm)].map((m) => [
    m[1],
    Number(m[2]),
  ]);
  const actual = Object.entries(PROBLEMS).map(([code, { status }]) => [code, status]);
  expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(actual));
});

it("docs/api.md has a section for every operation of the OpenAPI document, and no other", () => {
  const sections = [...apiDoc.matchAll(/^### `(GET|POST|DELETE|PUT|PATCH) (\S+)`$/gm)].map(
    (m) => `${m[1]} ${m[2]}`,
  );
  expect(sections.sort()).toEqual(operations.sort());
});

it("every example in docs/api.md answers with a status and body the document describes", async () => {
  const examples = [
    ...apiDoc.matchAll(/```sh\n([\s\S]*?)```\s*```http\nHTTP\/1\.1 (\d{3})[^\n]*\n([\s\S]*?)```/g),
  ];
  expect(examples.length).toBeGreaterThan(30);
  for (const [, command = "", status = "", rest = ""] of examples) {
    const method =
      command.match(/-X (\w+)/)?.[1] ??
      (command.includes("-d ") || command.includes("--data") ? "POST" : "GET");
    const url = command.match(/http:\/\/localhost:8787[^\s']*/)?.[0] ?? "";
    const [head = "", body = ""] = rest.split(/\n\n/, 2);
    const contentType = head.match(/^Content-Type: (.+)$/m)?.[1];
    const response = new Response(body.trim() || null, {
      status: Number(status),
      headers: contentType ? { "Content-Type": contentType } : {},
    });
    await expectDocumentedResponse(new Request(url, { method }), response, { headers: false });
  }
});
