import { expect, it } from "vitest";
import { buildOpenApiDocument } from "../src/openapi/document";
import committed from "../src/openapi/openapi.json";
import { OPERATIONS } from "../src/openapi/operations";
import app from "../src/index";
import { api } from "./api";

// The OpenAPI document is generated from the zod schemas that validate requests and shape
// responses. The Worker serves the committed copy; this keeps that copy equal to what the
// schemas generate now. After changing a schema or a route, run `npm run openapi`.

it("the committed src/openapi/openapi.json is what the schemas generate", async () => {
  await expect(`${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`).toMatchFileSnapshot("../src/openapi/openapi.json");
});

it("documents every route of the app, and no other", () => {
  const routes = app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
  expect(new Set(routes)).toEqual(new Set(OPERATIONS.map((o) => `${o.method} ${o.path}`)));
});

it("is served at /openapi.json, without a token", async () => {
  const res = await api("/openapi.json", { token: null });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual(committed);
});
