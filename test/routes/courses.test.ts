import { describe, expect, it } from "vitest";
import type { Course } from "../../src/courses/responses";
import { api, countRows, createCourse, expectProblem } from "../helpers/api";

describe("POST /courses", () => {
  it("creates a course with its code upper-cased: 201 and Location", async () => {
    const res = await api("/courses", {
      method: "POST",
      json: { code: " cs-101.a_b ", title: " Intro to CS " },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Course;
    expect(res.headers.get("Location")).toBe(`/courses/${body.id}`);
    expect(body).toEqual({
      id: expect.any(Number),
      code: "CS-101.A_B",
      title: "Intro to CS",
      sis_id: null,
      created_at: expect.any(String),
      capacity: null,
      waitlist_capacity: null,
      enrolled_count: 0,
      waitlisted_count: 0,
      seats_available: null,
    });
  });

  it("refuses a code that is taken, whatever its case: 409 code_taken", async () => {
    await createCourse({ code: "TAKEN1" });
    await expectProblem(
      await api("/courses", { method: "POST", json: { code: "taken1", title: "Other" } }),
      409,
      "code_taken",
    );
    expect(await countRows("SELECT count(*) AS n FROM courses WHERE code = 'TAKEN1'")).toBe(1);
  });

  it.each([
    ["a one-character code", { code: "A", title: "T" }, "body.code"],
    ["a 33-character code", { code: "A".repeat(33), title: "T" }, "body.code"],
    ["a code with a space", { code: "CS 101", title: "T" }, "body.code"],
    ["a code with a non-ASCII letter", { code: "CSÜ1", title: "T" }, "body.code"],
    ["a blank title", { code: "OK1", title: " " }, "body.title"],
    ["a title over 200 characters", { code: "OK1", title: "t".repeat(201) }, "body.title"],
    ["a missing title", { code: "OK1" }, "body.title"],
    ["an unknown field", { code: "OK1", title: "T", seats: 30 }, "body.seats"],
  ])("refuses %s: 400 validation_failed, nothing stored", async (_, json, path) => {
    const before = await countRows("SELECT count(*) AS n FROM courses");
    const problem = await expectProblem(
      await api("/courses", { method: "POST", json }),
      400,
      "validation_failed",
    );
    expect(problem.errors?.map((e) => e.path)).toContain(path);
    expect(await countRows("SELECT count(*) AS n FROM courses")).toBe(before);
  });

  it("keeps codes of exactly 2 and 32 characters", async () => {
    await createCourse({ code: "AB" });
    await createCourse({ code: "X".repeat(32) });
  });
});

describe("GET and DELETE /courses/{id}", () => {
  it("returns the course, deletes it (204), then answers 404 course_not_found", async () => {
    const course = await createCourse();
    const got = await api(`/courses/${course.id}`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(course);
    expect((await api(`/courses/${course.id}`, { method: "DELETE" })).status).toBe(204);
    await expectProblem(await api(`/courses/${course.id}`), 404, "course_not_found");
    await expectProblem(
      await api(`/courses/${course.id}`, { method: "DELETE" }),
      404,
      "course_not_found",
    );
  });

  it("refuses an id that is not a positive integer: 400", async () => {
    await expectProblem(await api("/courses/1e3"), 400, "validation_failed");
  });
});
