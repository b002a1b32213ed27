import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import { spyOnD1 } from "../helpers/d1-spy";
import {
  type Fixtures,
  ROUTE_CASES,
  type RouteCase,
  send,
  setUpRouteCases,
} from "../helpers/route-cases";

// Every query the app sends, run through EXPLAIN QUERY PLAN with its own parameters: none may
// read a whole table, so no request grows slower as the data grows. Two kinds of step do:
// - "SCAN t": every row of t (drizzle's relational queries name t by an alias). A scan of a
//   co-routine or a materialised subquery (one row here), or of a virtual table such as
//   json_each over the request's own list of ids (at most 100), is not a table.
// - an index search bounded only by a range, "(student_id>?)": every entry past the bound.
//   A list paged by its own sort key stops at LIMIT and is fine: by primary key "(rowid>?)",
//   or the change feed by its index's every column, "((updated_at,student_id,course_id)>(?,?,?))".
// - "USE TEMP B-TREE FOR ORDER BY": every row found, sorted before LIMIT applies; a list must
//   read its rows in its order from an index.

function wholeTableSteps(plan: string[]): string[] {
  const derived = new Set(
    plan.flatMap((step) => step.match(/^(?:CO-ROUTINE|MATERIALIZE) (\S+)/)?.[1] ?? []),
  );
  return plan.filter((step) => {
    const scanned = step.match(/^SCAN (\S+)/)?.[1];
    if (scanned)
      return scanned !== "CONSTANT" && !derived.has(scanned) && !step.includes("VIRTUAL TABLE");
    return (
      /^SEARCH \S+ USING (COVERING )?INDEX \S+ \(\w+[<>]/.test(step) ||
      /^USE TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/.test(step)
    );
  });
}

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await setUpRouteCases();
});

for (const routeCase of ROUTE_CASES) {
  it(`${routeCase.name}: no query reads a whole table`, async () => {
    const spy = spyOnD1(env.DB);
    expect((await send(routeCase, fixtures, spy.db)).status).toBe(routeCase.status);
    expect(spy.statements.length).toBeGreaterThan(0);
    for (const { sql, params } of spy.statements) {
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      const plan = results.map((r) => r.detail);
      expect(wholeTableSteps(plan), `${sql}\n${plan.join("\n")}`).toEqual([]);
    }
  });
}

/** Every plan step of the statements a route case sends. */
async function planOf(routeCase: RouteCase): Promise<string[]> {
  const spy = spyOnD1(env.DB);
  expect((await send(routeCase, fixtures, spy.db)).status).toBe(routeCase.status);
  const plans = await Promise.all(
    spy.statements.map(
      async ({ sql, params }) =>
        (
          await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
            .bind(...params)
            .all<{ detail: string }>()
        ).results,
    ),
  );
  return plans.flat().map((r) => r.detail);
}

for (const routeCase of ROUTE_CASES.filter(({ name }) => /\?(email|code)=/.test(name))) {
  it(`${routeCase.name}: finds it through the unique index`, async () => {
    expect(await planOf(routeCase)).toContainEqual(
      expect.stringMatching(/^SEARCH \w+ USING INDEX sqlite_autoindex_\w+ \((email|code)=\?\)/),
    );
  });
}

it.each([
  [
    "a roster without its index",
    "SELECT * FROM student_courses NOT INDEXED WHERE course_id = 1 AND student_id > 0 ORDER BY student_id LIMIT 5",
  ],
  [
    "a page sorted after it is read",
    "SELECT * FROM student_courses WHERE student_id = 1 ORDER BY updated_at LIMIT 5",
  ],
])("would catch %s", async (_, sql) => {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`).all<{ detail: string }>();
  expect(wholeTableSteps(results.map((r) => r.detail))).not.toEqual([]);
});
