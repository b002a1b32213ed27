import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Course } from "../../src/courses/responses";
import type { Student } from "../../src/students/responses";
import { api, createCourse, createStudent, expectProblem, type Page } from "../helpers/api";

/** A page of either list. */
type ListPage = Page<Student> | Page<Course>;

async function allPages(path: string, limit: number) {
  const pages: ListPage[] = [];
  let cursor: string | null = null;
  do {
    const res = await api(`${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as ListPage;
    pages.push(page);
    cursor = page.next_cursor;
  } while (cursor);
  return pages;
}

describe.each([
  ["/students", createStudent],
  ["/courses", createCourse],
] as const)("GET %s", (path, create) => {
  let ids: number[];
  beforeAll(async () => {
    for (let i = 0; i < 7; i++) await create();
    const table = path.slice(1);
    ids = (
      await env.DB.prepare(`SELECT id FROM ${table} ORDER BY id`).all<{ id: number }>()
    ).results.map((r) => r.id);
  });

  it("pages through every record once, in ascending id order, ending with next_cursor null", async () => {
    const pages = await allPages(path, 3);
    expect(pages.flatMap((p) => p.data.map((r) => r.id))).toEqual(ids);
    expect(pages.at(-1)?.next_cursor).toBeNull();
    expect(pages.slice(0, -1).every((p) => p.data.length === 3)).toBe(true);
  });

  it("returns 20 by default and 100 at most", async () => {
    const body = (await (await api(path)).json()) as ListPage;
    expect(body.data.length).toBe(Math.min(ids.length, 20));
    expect((await api(`${path}?limit=100`)).status).toBe(200);
  });

  it("keeps its place when rows before the cursor are deleted", async () => {
    const first = (await (await api(`${path}?limit=2`)).json()) as ListPage;
    await api(`${path}/${first.data[0]?.id}`, { method: "DELETE" });
    const second = (await (
      await api(`${path}?limit=2&cursor=${first.next_cursor}`)
    ).json()) as ListPage;
    expect(second.data[0]?.id).toBeGreaterThan(first.data[1]?.id ?? Infinity);
  });

  it.each([
    ["limit=0", "query.limit"],
    ["limit=101", "query.limit"],
    ["limit=abc", "query.limit"],
    ["limit=5&limit=6", "query.limit"],
    ["cursor=not-a-cursor!", "query.cursor"],
    [`cursor=${btoa('["x"]')}`, "query.cursor"],
    ["cursor=", "query.cursor"],
    ["sort=name", "query.sort"],
  ])("refuses ?%s: 400 validation_failed", async (query, field) => {
    const problem = await expectProblem(await api(`${path}?${query}`), 400, "validation_failed");
    expect(problem.errors?.map((e) => e.path)).toContain(field);
  });

  it("says plainly that a parameter was given twice", async () => {
    const problem = await expectProblem(
      await api(`${path}?limit=5&limit=6`),
      400,
      "validation_failed",
    );
    expect(problem.errors).toEqual([
      { path: "query.limit", message: "must be a single value, not a list" },
    ]);
  });
});

describe("lookups by natural key", () => {
  it("finds a student by email in any case and with spaces around it; the usual page shape", async () => {
    const student = await createStudent({ email: "Lookup.Person@Example.org" });
    const res = await api(`/students?email=${encodeURIComponent("  LOOKUP.person@example.ORG ")}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: [student], next_cursor: null });
  });

  it("finds a course by code in any case", async () => {
    const course = await createCourse({ code: "LOOKUP-101" });
    expect(await (await api("/courses?code=lookup-101")).json()).toEqual({
      data: [course],
      next_cursor: null,
    });
  });

  it("answers an empty page, not a 404, when no one has it", async () => {
    expect(await (await api("/students?email=nobody.here@example.org")).json()).toEqual({
      data: [],
      next_cursor: null,
    });
    expect(await (await api("/courses?code=NO-SUCH-CODE")).json()).toEqual({
      data: [],
      next_cursor: null,
    });
  });

  it.each([
    ["/students?email=not-an-email", "query.email"],
    ["/students?email=", "query.email"],
    ["/students?email=a@example.org&email=b@example.org", "query.email"],
    ["/courses?code=no%20spaces", "query.code"],
    ["/courses?code=X", "query.code"],
  ])("refuses %s: 400 naming the parameter", async (path, field) => {
    const problem = await expectProblem(await api(path), 400, "validation_failed");
    expect(problem.errors?.map((e) => e.path)).toEqual([field]);
  });
});
