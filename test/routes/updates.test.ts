import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Student } from "../../src/students/responses";
import { api, createCourse, createStudent, expectProblem } from "../helpers/api";
import { TEST_TOKENS } from "../helpers/tokens";

// PATCH /students/{id} and /courses/{id}: partial updates, optimistic concurrency with If-Match.

const patch = (path: string, json: unknown, headers: Record<string, string> = {}) =>
  api(path, { method: "PATCH", json, headers });
const rowOf = (table: string, id: number) =>
  env.DB.prepare(`SELECT * FROM ${table} WHERE id = ?`).bind(id).first();

afterEach(() => {
  vi.restoreAllMocks();
});

describe("PATCH /students/{id}", () => {
  it("changes the fields sent, normalised as on create, and answers the whole student with its new ETag", async () => {
    const student = await createStudent();
    const res = await patch(`/students/${student.id}`, {
      name: "  Ada  King ",
      email: " Ada.King@Example.ORG",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ...student,
      name: "Ada  King",
      email: "ada.king@example.org",
    });
    expect(res.headers.get("ETag")).toBe('"r3.2"');
    const read = await api(`/students/${student.id}`);
    expect(read.headers.get("ETag")).toBe('"r3.2"');
    expect(((await read.json()) as Student).name).toBe("Ada  King");
    // Only the name: the email stays.
    expect(await (await patch(`/students/${student.id}`, { name: "Ada" })).json()).toMatchObject({
      name: "Ada",
      email: "ada.king@example.org",
    });
  });

  it("gives a create its first ETag, and keeps the version when nothing changes", async () => {
    const created = await api("/students", {
      method: "POST",
      json: { name: "Same", email: "same.version@example.org" },
    });
    expect(created.headers.get("ETag")).toBe('"r3.1"');
    const { id } = (await created.json()) as Student;
    const same = await patch(`/students/${id}`, {
      name: "Same",
      email: "SAME.version@example.org",
    });
    expect(same.status).toBe(200);
    expect(same.headers.get("ETag")).toBe('"r3.1"');
  });

  it("with a current If-Match applies; with a stale one answers 412 precondition_failed and changes nothing", async () => {
    const student = await createStudent();
    const tag = (await api(`/students/${student.id}`)).headers.get("ETag") ?? "";
    const first = await patch(`/students/${student.id}`, { name: "First" }, { "If-Match": tag });
    expect(first.status).toBe(200);
    const before = await rowOf("students", student.id);
    await expectProblem(
      await patch(`/students/${student.id}`, { name: "Second" }, { "If-Match": tag }),
      412,
      "precondition_failed",
    );
    expect(await rowOf("students", student.id)).toEqual(before);
    // Any of several tags; a weak one (as a compressing proxy hands it on); or *.
    expect(
      (
        await patch(
          `/students/${student.id}`,
          { name: "Third" },
          { "If-Match": `"9", W/${first.headers.get("ETag")}` },
        )
      ).status,
    ).toBe(200);
    expect(
      (await patch(`/students/${student.id}`, { name: "Fourth" }, { "If-Match": "*" })).status,
    ).toBe(200);
    await expectProblem(
      await patch(`/students/${student.id}`, { name: "Fifth" }, { "If-Match": '"not-ours"' }),
      412,
      "precondition_failed",
    );
  });

  it("moves the version when anything else changes the student too, so an old ETag neither revalidates nor overwrites", async () => {
    const student = await createStudent();
    const tag = (await api(`/students/${student.id}`)).headers.get("ETag") ?? "";
    await env.DB.prepare("UPDATE students SET name = 'Fixed by hand' WHERE id = ?")
      .bind(student.id)
      .run();
    const read = await api(`/students/${student.id}`, { headers: { "If-None-Match": tag } });
    expect(read.status).toBe(200);
    expect(read.headers.get("ETag")).toBe('"r3.2"');
    await expectProblem(
      await patch(`/students/${student.id}`, { name: "Overwrite" }, { "If-Match": tag }),
      412,
      "precondition_failed",
    );
    expect(await rowOf("students", student.id)).toMatchObject({
      name: "Fixed by hand",
      version: 2,
    });
    // The Worker's own update moves it once, not twice.
    expect(
      (
        await patch(`/students/${student.id}`, { name: "Once" }, { "If-Match": '"r3.2"' })
      ).headers.get("ETag"),
    ).toBe('"r3.3"');
  });

  it("lets exactly one of two concurrent PATCHes with the same If-Match win", async () => {
    for (let round = 0; round < 5; round++) {
      const student = await createStudent();
      const tag = (await api(`/students/${student.id}`)).headers.get("ETag") ?? "";
      const answers = await Promise.all(
        ["A", "B"].map((name) => patch(`/students/${student.id}`, { name }, { "If-Match": tag })),
      );
      expect(answers.map((r) => r.status).sort()).toEqual([200, 412]);
      const winner = (await answers.find((r) => r.status === 200)?.json()) as Student;
      expect(await rowOf("students", student.id)).toMatchObject({ name: winner.name, version: 2 });
    }
  });

  it("answers 409 email_taken for another student's email (any case), 404 for no student, and changes nothing", async () => {
    const [ana, ben] = [await createStudent(), await createStudent()];
    const before = await rowOf("students", ben.id);
    await expectProblem(
      await patch(`/students/${ben.id}`, { email: ana.email.toUpperCase() }),
      409,
      "email_taken",
    );
    expect(await rowOf("students", ben.id)).toEqual(before);
    await expectProblem(
      await patch("/students/999999", { name: "Nobody" }),
      404,
      "student_not_found",
    );
    await expectProblem(
      await patch("/students/999999", { name: "Nobody" }, { "If-Match": '"r3.1"' }),
      404,
      "student_not_found",
    );
  });

  it.each([
    [{}, "body"],
    [{ name: null }, "body.name"],
    [{ name: "" }, "body.name"],
    [{ email: "nope" }, "body.email"],
    [{ name: "A", id: 5 }, "body.id"],
    [{ name: "Tab\there" }, "body.name"],
  ])("refuses %j: 400 naming %s, nothing changed", async (body, path) => {
    const student = await createStudent();
    const before = await rowOf("students", student.id);
    const problem = await expectProblem(
      await patch(`/students/${student.id}`, body),
      400,
      "validation_failed",
    );
    expect(problem.errors?.map((e) => e.path)).toEqual([path]);
    expect(await rowOf("students", student.id)).toEqual(before);
  });

  it("refuses a malformed If-Match with 400, and a read-only token with 403", async () => {
    const student = await createStudent();
    const problem = await expectProblem(
      await patch(`/students/${student.id}`, { name: "X" }, { "If-Match": "2" }),
      400,
      "validation_failed",
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(["header.If-Match"]);
    await expectProblem(
      await patch(
        `/students/${student.id}`,
        { name: "X" },
        { "If-Match": Array(101).fill('"r3.1"').join(", ") },
      ),
      400,
      "validation_failed",
    );
    expect(
      (await patch(`/students/${student.id}`, { name: "Y" }, { "If-Match": '"a,b", , "r3.1"' }))
        .status,
    ).toBe(200);
    await expectProblem(
      await api(`/students/${student.id}`, {
        method: "PATCH",
        json: { name: "X" },
        token: TEST_TOKENS.read,
      }),
      403,
      "insufficient_scope",
    );
    expect(await rowOf("students", student.id)).toMatchObject({ name: "Y", version: 2 });
  });

  it("logs student.updated with the names of the fields that changed, never their values", async () => {
    const student = await createStudent();
    const log = vi.spyOn(console, "log");
    await patch(`/students/${student.id}`, {
      name: student.name,
      email: "changed.email@example.org",
    });
    const events = log.mock.calls
      .map(([line]) => line as Record<string, unknown>)
      .filter((line) => line.event === "student.updated");
    expect(events).toEqual([expect.objectContaining({ student_id: student.id, fields: "email" })]);
    expect(JSON.stringify(log.mock.calls)).not.toContain("changed.email");
  });
});

describe("PATCH /courses/{id}", () => {
  it("changes code and title, the code upper-cased; 409 code_taken for another's code; If-Match as for students", async () => {
    const [course, other] = [await createCourse(), await createCourse()];
    const res = await patch(
      `/courses/${course.id}`,
      { code: " new-code.1 ", title: "New title" },
      { "If-Match": '"r3.1"' },
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ...course, code: "NEW-CODE.1", title: "New title" });
    expect(res.headers.get("ETag")).toBe('"r3.2.0.0"');
    await expectProblem(
      await patch(`/courses/${course.id}`, { title: "Stale" }, { "If-Match": '"r3.1"' }),
      412,
      "precondition_failed",
    );
    await expectProblem(
      await patch(`/courses/${course.id}`, { code: other.code.toLowerCase() }),
      409,
      "code_taken",
    );
    await expectProblem(await patch("/courses/999999", { title: "T" }), 404, "course_not_found");
    await expectProblem(await patch(`/courses/${course.id}`, {}), 400, "validation_failed");
    expect(await rowOf("courses", course.id)).toMatchObject({
      code: "NEW-CODE.1",
      title: "New title",
      version: 2,
    });
  });

  it("keeps the version for a value already so, lets one of two concurrent PATCHes win, and logs course.updated with field names", async () => {
    const course = await createCourse();
    const same = await patch(`/courses/${course.id}`, {
      code: course.code.toLowerCase(),
      title: course.title,
    });
    expect(same.headers.get("ETag")).toBe('"r3.1.0.0"');
    const answers = await Promise.all(
      ["A", "B"].map((title) =>
        patch(`/courses/${course.id}`, { title }, { "If-Match": '"r3.1"' }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 412]);
    const log = vi.spyOn(console, "log");
    await patch(`/courses/${course.id}`, { title: "Logged" });
    const events = log.mock.calls
      .map(([line]) => line as Record<string, unknown>)
      .filter((line) => line.event === "course.updated");
    expect(events).toEqual([expect.objectContaining({ course_id: course.id, fields: "title" })]);
    expect(JSON.stringify(log.mock.calls)).not.toContain("Logged");
  });
});
