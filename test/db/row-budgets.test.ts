import { env } from "cloudflare:workers";
import { beforeAll, expect, it } from "vitest";
import performance from "../../docs/performance.md?raw";
import { spyOnD1 } from "../helpers/d1-spy";
import { type Fixtures, ROUTE_CASES, send, setUpRouteCases } from "../helpers/route-cases";

// D1 bills the rows each query reads and writes, as D1 itself reports them (meta.rows_read,
// meta.rows_written: index entries, the change feed's triggers and the clock included). Each
// route and outcome is held to its row budget: [rows read, rows written], measured on the
// route cases' fresh database, in their order. A change that costs a row more fails here; one
// that saves a row fails too, until the table (and docs/performance.md) says so.

const BUDGETS: Record<string, [read: number, written: number]> = {
  "POST /students": [4, 3],
  "POST /students (email taken)": [3, 1],
  "POST /students (Idempotency-Key)": [7, 6],
  "POST /students (Idempotency-Key, replayed)": [8, 0],
  "POST /students (Idempotency-Key, reused)": [8, 0],
  "POST /students (Idempotency-Key, email taken)": [6, 4],
  "GET /students": [3, 0],
  "GET /students?email=": [1, 0],
  "GET /students/{id}": [1, 0],
  "PATCH /students/{id}": [4, 1],
  "PATCH /students/{id} (stale If-Match)": [4, 0],
  "PATCH /students/{id} (email taken)": [5, 0],
  "POST /students (with a SIS id)": [4, 4],
  "POST /students (SIS id taken)": [5, 1],
  "POST /students (Idempotency-Key, SIS id taken)": [9, 4],
  "GET /students?sis_id=": [1, 0],
  "PATCH /students/{id} (SIS id taken)": [5, 0],
  "POST /courses": [5, 3],
  "POST /courses (Idempotency-Key)": [8, 6],
  "PATCH /courses/{id}": [10, 1],
  "PATCH /courses/{id} (a SIS id)": [10, 2],
  "GET /courses?sis_id=": [2, 0],
  "GET /courses": [9, 0],
  "GET /courses?code=": [2, 0],
  "GET /courses/{id}": [2, 0],
  "POST /students/{id}/courses (created)": [13, 6],
  "POST /students/{id}/courses (unchanged)": [10, 0],
  "POST /students/{id}/courses (no such course)": [5, 0],
  "POST /students/{id}/courses (several courses)": [41, 6],
  "GET /students/{id}/courses": [6, 0],
  "GET /students/{id}/courses (a later page)": [4, 0],
  "GET /students/{id}/courses/{course_id}": [2, 0],
  "DELETE /students/{id}/courses/{course_id}": [10, 3],
  "GET /students/{id}/courses?status=dropped": [5, 0],
  "POST /students/{id}/courses (reactivated)": [14, 4],
  "POST /students/{id}/courses (waitlisted)": [17, 6],
  "POST /students/{id}/courses (course full)": [10, 0],
  "GET /students/{id}/courses?status=waitlisted": [8, 0],
  "POST /students/{id}/courses (several courses, one full)": [33, 0],
  "GET /courses/{id}/students?status=waitlisted": [9, 0],
  "DELETE /students/{id}/courses/{course_id} (promotes the head of the line)": [18, 7],
  "PATCH /courses/{id} (capacity raised, the line promoted)": [19, 5],
  "PATCH /courses/{id} (capacity lowered below the seats taken)": [13, 1],
  "POST /students/{id}/courses (waitlisted under a lowered capacity)": [19, 6],
  "DELETE /students/{id}/courses/{course_id} (leaves the line)": [10, 3],
  "GET /courses/{id}/students": [4, 0],
  "GET /courses/{id}/students (a later page)": [2, 0],
  "DELETE /courses/{id} (stale If-Match)": [4, 0],
  "DELETE /courses/{id} (current If-Match)": [13, 6],
  "DELETE /students/{id}": [24, 11],
  "GET /enrollments": [6, 0],
  "GET /enrollments (since a time, after a cursor)": [4, 0],
  "POST /webhooks": [5, 3],
  "GET /webhooks": [1, 0],
  "GET /webhooks/{id}": [1, 0],
  "PATCH /webhooks/{id}": [2, 1],
  "POST /webhooks/{id}/secret": [2, 1],
  "POST /students (a webhook subscribed)": [5, 6],
  "POST /students/{id}/courses (created, a webhook subscribed)": [14, 9],
  "DELETE /students/{id}/courses/{course_id} (a webhook subscribed)": [11, 6],
  "GET /webhooks/{id}/deliveries": [7, 0],
  "POST /webhooks/{id}/deliveries/{delivery_id}/retry (not failed)": [3, 0],
  "DELETE /webhooks/{id}": [14, 4],
  "POST /imports (a dry run)": [8, 2],
  "GET /imports/{id}": [1, 0],
  "GET /imports": [1, 0],
  "DELETE /imports/{id}": [3, 1],
};

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await setUpRouteCases();
});

it("budgets every route case, and nothing else", () => {
  expect(Object.keys(BUDGETS)).toEqual(ROUTE_CASES.map(({ name }) => name));
});

it("are the table docs/performance.md publishes", () => {
  const rows = performance.matchAll(/^\| (.+?) \| (\d+) \| (\d+) \|$/gm);
  const published = Object.fromEntries(
    [...rows].map(([, name = "", read, written]) => [name, [Number(read), Number(written)]]),
  );
  expect(published).toEqual(BUDGETS);
});

for (const routeCase of ROUTE_CASES) {
  const [read, written] = BUDGETS[routeCase.name] ?? [0, 0];
  it(`${routeCase.name} (${routeCase.status}) reads ${read} rows and writes ${written}`, async () => {
    const spy = spyOnD1(env.DB);
    const res = await send(routeCase, fixtures, spy.db);
    expect(res.status).toBe(routeCase.status);
    expect(spy.costs).toEqual([{ rows_read: read, rows_written: written }]);
  });
}
