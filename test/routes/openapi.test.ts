import { expect, it } from "vitest";
import { VALIDATES } from "../../src/http/validate";
import { app } from "../../src/index";
import { buildOpenApiDocument } from "../../src/openapi/document";
import { OPERATIONS } from "../../src/openapi/operations";

// The OpenAPI document is generated from the zod schemas that validate requests and shape
// responses. Static Assets serve the committed copy; this keeps that copy equal to what the
// schemas generate now. After changing a schema or a route, run `npm run openapi`.

it("the committed public/openapi.json is what the schemas generate", async () => {
  await expect(`${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`).toMatchFileSnapshot(
    "../../public/openapi.json",
  );
});

it("documents every route of the app, and no other, besides the files Static Assets serve", () => {
  const routes = app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
  const workerOperations = OPERATIONS.filter((o) => !o.asset);
  expect(new Set(routes)).toEqual(new Set(workerOperations.map((o) => `${o.method} ${o.path}`)));
});

it("describes each route with the very schemas the route validates its path, query and body with", () => {
  const validated = new Map<string, Record<string, unknown>>();
  for (const route of app.routes) {
    const checks = (route.handler as { [VALIDATES]?: { target: string; schema: unknown } })[
      VALIDATES
    ];
    if (!checks) continue;
    const key = `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, "{$1}")}`;
    validated.set(key, { ...validated.get(key), [checks.target]: checks.schema });
  }
  for (const op of OPERATIONS) {
    const expected = { param: op.params, query: op.query, json: op.body };
    const actual = validated.get(`${op.method} ${op.path}`) ?? {};
    expect(Object.keys(actual).sort(), `${op.method} ${op.path}`).toEqual(
      Object.keys(expected)
        .filter((k) => expected[k as keyof typeof expected])
        .sort(),
    );
    for (const [target, schema] of Object.entries(actual)) {
      expect(
        schema === expected[target as keyof typeof expected],
        `${op.method} ${op.path}: the ${target} schema`,
      ).toBe(true);
    }
  }
});
