import { Validator } from "@cfworker/json-schema";
import { expect } from "vitest";
import document from "../../public/openapi.json";

// Checks a response the Worker gave against the OpenAPI document: its status must be one the
// document lists for the operation, and its body must match the documented schema. The
// route tests run every response of theirs through this (test/helpers/api.ts).

type Documented = {
  content?: Record<string, { schema: object }>;
  headers?: Record<string, unknown>;
};
type DocumentedOperation = { responses: Record<string, Documented> };

const operations = Object.entries(
  document.paths as Record<string, Record<string, DocumentedOperation>>,
).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({
    method: method.toUpperCase(),
    path,
    pattern: new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`),
    operation,
  })),
);

/** A documented header, its $ref to components/headers resolved. */
function headerObject(header: unknown): { required?: boolean } {
  const ref = (header as { $ref?: string }).$ref;
  const headers = document.components.headers as Record<string, { required?: boolean }>;
  return ref ? (headers[ref.split("/").pop() ?? ""] ?? {}) : (header as { required?: boolean });
}

const validate = (schema: object, body: unknown) =>
  // The document's components go along, so that its #/components/... references resolve.
  new Validator(
    { ...schema, components: document.components } as object,
    "2020-12",
    false,
  ).validate(body);

/** `headers: false` skips the check that documented headers are present (examples in docs show only some). */
export async function expectDocumentedResponse(
  request: Request,
  response: Response,
  { headers = true } = {},
): Promise<void> {
  if (request.method === "HEAD") return;
  const { pathname } = new URL(request.url);
  const match = operations.find((op) => op.method === request.method && op.pattern.test(pathname));
  const label = `${request.method} ${pathname} → ${response.status}`;
  const json = response.headers.get("Content-Type")?.includes("json");
  const body =
    response.status === 204 || response.status === 304
      ? undefined
      : json
        ? await response.clone().json()
        : await response.clone().text();
  // A problem's own status is the response's.
  if (response.status >= 400)
    expect((body as { status?: number }).status, label).toBe(response.status);
  if (!match) {
    // No operation: the app's own 404 or 405, and nothing else.
    const code = (body as { code?: string }).code;
    expect([`404 not_found`, `405 method_not_allowed`], label).toContain(
      `${response.status} ${code}`,
    );
    expect(validate({ $ref: "#/components/schemas/Problem" }, body).errors, label).toEqual([]);
    return;
  }
  const documented = match.operation.responses[String(response.status)];
  expect(
    documented,
    `${label}: the document lists no ${response.status} for ${request.method} ${match.path}`,
  ).toBeDefined();
  if (headers) {
    for (const [name, header] of Object.entries(documented?.headers ?? {})) {
      if (headerObject(header).required === false) continue;
      expect(response.headers.has(name), `${label}: header ${name}`).toBe(true);
    }
  }
  const [mediaType, content] = Object.entries(documented?.content ?? {})[0] ?? [];
  if (!mediaType || !content) {
    expect(await response.clone().text(), `${label}: documented without a body`).toBe("");
    return;
  }
  expect(response.headers.get("Content-Type")?.split(";")[0], label).toBe(mediaType);
  expect(validate(content.schema, body).errors, label).toEqual([]);
}
