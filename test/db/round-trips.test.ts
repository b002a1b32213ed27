import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { app } from "../../src/index";
import { spyOnD1 } from "../helpers/d1-spy";
import { type Fixtures, ROUTE_CASES, send, setUpRouteCases } from "../helpers/route-cases";
import { TEST_TOKENS } from "../helpers/tokens";

// A request's cost at the edge is its D1 round trips: each route is held to one.

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await setUpRouteCases();
});

for (const routeCase of ROUTE_CASES) {
  it(`${routeCase.name} (${routeCase.status}) makes one D1 round trip`, async () => {
    const spy = spyOnD1(env.DB);
    const res = await send(routeCase, fixtures, spy.db);
    expect(res.status).toBe(routeCase.status);
    expect(spy.calls()).toBe(1);
  });
}

it("a request refused before it reaches a route makes none", async () => {
  const spy = spyOnD1(env.DB);
  await app.request(
    "/students/abc",
    { headers: { Authorization: `Bearer ${TEST_TOKENS.write}` } },
    { ...env, DB: spy.db },
  );
  await app.request(
    "/students",
    { headers: { Authorization: "Bearer wrong" } },
    { ...env, DB: spy.db },
  );
  expect(spy.calls()).toBe(0);
});
