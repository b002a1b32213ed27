import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { validate } from "../../src/http/validate";
import { lazy } from "../../src/lib/lazy";

describe("lazy", () => {
  it("builds its value on the first call only, and gives that same value every time", () => {
    let builds = 0;
    const value = lazy(() => ({ build: ++builds }));
    expect(builds).toBe(0);
    const first = value();
    expect(value()).toBe(first);
    expect(builds).toBe(1);
  });
});

describe("validate", () => {
  it("builds its route's schema on the route's first request, not before, and once", async () => {
    let builds = 0;
    const query = () => {
      builds++;
      return z.strictObject({ q: z.string() });
    };
    const app = new Hono().get("/", validate("query", query), (c) => c.json(c.req.valid("query")));
    expect(builds).toBe(0);
    const answers = [await app.request("/?q=a"), await app.request("/?q=b")];
    expect(await Promise.all(answers.map((r) => r.json()))).toEqual([{ q: "a" }, { q: "b" }]);
    expect(builds).toBe(1);
  });
});
