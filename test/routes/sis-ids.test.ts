import { describe, expect, it } from "vitest";
import type { Course } from "../../src/courses/responses";
import type { Student } from "../../src/students/responses";
import {
  api,
  countRows,
  createCourse,
  createStudent,
  expectProblem,
  type Page,
} from "../helpers/api";

// The school's own ids (sis_id) on students and courses: set on create, changed or cleared by
// PATCH, looked up with ?sis_id=, unique per resource and compared exactly.

const RESOURCES = [
  {
    path: "/students",
    create: (sis_id?: string) => createStudent({ sis_id }),
    fresh: (n: string) => ({ name: `Student ${n}`, email: `sis-${n}@example.org` }),
    other: { email: "sis-taken@example.org" },
    otherProblem: "email_taken",
  },
  {
    path: "/courses",
    create: (sis_id?: string) => createCourse({ sis_id }),
    fresh: (n: string) => ({ code: `SIS-${n}`, title: `Course ${n}` }),
    other: { code: "SIS-TAKEN" },
    otherProblem: "code_taken",
  },
] as const;

let unique = 0;
const next = () => `${++unique}`;

describe.each(RESOURCES)("SIS ids of $path", ({ path, create, fresh, other, otherProblem }) => {
  const count = () => countRows(`SELECT count(*) AS n FROM ${path.slice(1)}`);

  it("stores one on create, trimmed and NFC-normalised, shows it and finds by it", async () => {
    const id = `SIS-Caf\u0065\u0301-${next()}`;
    const res = await api(path, { method: "POST", json: { ...fresh(next()), sis_id: ` ${id} ` } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Student | Course;
    expect(created.sis_id).toBe(id.normalize("NFC"));
    const shown = (await (await api(`${path}/${created.id}`)).json()) as Student | Course;
    expect(shown.sis_id).toBe(id.normalize("NFC"));

    const found = await api(`${path}?sis_id=${encodeURIComponent(id)}`);
    expect(((await found.json()) as Page<{ id: number }>).data.map((r) => r.id)).toEqual([
      created.id,
    ]);
  });

  it("has none unless given: null, and any number of records without one", async () => {
    const [a, b] = [await create(), await create()];
    expect([a.sis_id, b.sis_id]).toEqual([null, null]);
    const res = await api(path, { method: "POST", json: fresh(next()) });
    expect(((await res.json()) as Student | Course).sis_id).toBeNull();
  });

  it("compares exactly: another case is another id, and ?sis_id= finds only its own", async () => {
    const n = next();
    const upper = await create(`ABC-${n}`);
    const lower = await create(`abc-${n}`);
    const res = await api(`${path}?sis_id=abc-${n}`);
    expect(((await res.json()) as Page<{ id: number }>).data.map((r) => r.id)).toEqual([lower.id]);
    expect(upper.id).not.toBe(lower.id);
    expect(((await (await api(`${path}?sis_id=none-${n}`)).json()) as Page<unknown>).data).toEqual(
      [],
    );
  });

  it("refuses a SIS id that is taken: 409 sis_id_taken, nothing written", async () => {
    const taken = `T-${next()}`;
    await create(taken);
    const before = await count();
    const res = await api(path, { method: "POST", json: { ...fresh(next()), sis_id: taken } });
    await expectProblem(res, 409, "sis_id_taken");
    expect(await count()).toBe(before);
  });

  it("names the other unique field when both are taken", async () => {
    const taken = `B-${next()}`;
    await api(path, { method: "POST", json: { ...fresh(next()), ...other, sis_id: taken } });
    const res = await api(path, {
      method: "POST",
      json: { ...fresh(next()), ...other, sis_id: taken },
    });
    await expectProblem(res, 409, otherProblem);
  });

  it("answers a retried create with the same 409 sis_id_taken, even once the id is free", async () => {
    const taken = `R-${next()}`;
    const holder = await create(taken);
    const request = {
      method: "POST",
      headers: { "Idempotency-Key": `sis-${next()}` },
      json: { ...fresh(next()), sis_id: taken },
    };
    await expectProblem(await api(path, request), 409, "sis_id_taken");
    expect((await api(`${path}/${holder.id}`, { method: "DELETE" })).status).toBe(204);
    const retry = await api(path, request);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    await expectProblem(retry, 409, "sis_id_taken");
  });

  it("sets, changes and clears one with PATCH, and refuses one that is taken", async () => {
    const record = await create();
    const set = await api(`${path}/${record.id}`, { method: "PATCH", json: { sis_id: "P-1" } });
    expect(((await set.json()) as Student | Course).sis_id).toBe("P-1");

    const holder = await create(`P-${next()}`);
    const clash = await api(`${path}/${record.id}`, {
      method: "PATCH",
      json: { sis_id: holder.sis_id },
    });
    await expectProblem(clash, 409, "sis_id_taken");
    const kept = (await (await api(`${path}/${record.id}`)).json()) as Student | Course;
    expect(kept.sis_id).toBe("P-1");

    const cleared = await api(`${path}/${record.id}`, { method: "PATCH", json: { sis_id: null } });
    expect(((await cleared.json()) as Student | Course).sis_id).toBeNull();
    // Its old id is free again.
    expect((await create("P-1")).sis_id).toBe("P-1");
  });

  it.each([
    ["an empty one", "   ", "must not be empty"],
    ["one over 255 characters", "x".repeat(256), "must be at most 255 characters"],
    ["a control character", "A\u0000B", "must not contain control characters"],
    ["a number", 12345, "must be a string"],
  ])("refuses %s: 400 naming body.sis_id, nothing written", async (_, sisId, message) => {
    const before = await count();
    const res = await api(path, { method: "POST", json: { ...fresh(next()), sis_id: sisId } });
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors).toContainEqual({ path: "body.sis_id", message });
    expect(await count()).toBe(before);
  });

  it("keeps one of exactly 255 characters", async () => {
    const long = `${next()}-`.padEnd(255, "x");
    expect((await create(long)).sis_id).toBe(long);
  });

  it("refuses a malformed ?sis_id=: 400 naming query.sis_id", async () => {
    const res = await api(`${path}?sis_id=${"x".repeat(256)}`);
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors).toContainEqual({
      path: "query.sis_id",
      message: "must be at most 255 characters",
    });
  });
});
