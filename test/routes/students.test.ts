import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Student } from "../../src/students/responses";
import { api, countRows, createStudent, expectProblem } from "../helpers/api";

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("POST /students", () => {
  it("creates a student: 201, Location, the stored record", async () => {
    const res = await api("/students", {
      method: "POST",
      json: { name: "  Ada Lovelace ", email: " Ada@Example.ORG " },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Student;
    expect(res.headers.get("Location")).toBe(`/students/${body.id}`);
    expect(body).toEqual({
      id: expect.any(Number),
      name: "Ada Lovelace",
      email: "ada@example.org",
      sis_id: null,
      created_at: expect.stringMatching(ISO_MS),
    });
    const stored = await env.DB.prepare("SELECT name, email FROM students WHERE id = ?")
      .bind(body.id)
      .first();
    expect(stored).toEqual({ name: "Ada Lovelace", email: "ada@example.org" });
  });

  it("refuses an email that is taken, whatever its case: 409 email_taken", async () => {
    await createStudent({ email: "taken@example.org" });
    const res = await api("/students", {
      method: "POST",
      json: { name: "Someone", email: "TAKEN@example.org" },
    });
    await expectProblem(res, 409, "email_taken");
    expect(
      await countRows("SELECT count(*) AS n FROM students WHERE email = 'taken@example.org'"),
    ).toBe(1);
  });

  it.each([
    ["a missing name", { email: "x@example.org" }, "body.name", "is required"],
    ["a blank name", { name: "   ", email: "x@example.org" }, "body.name", "must not be empty"],
    [
      "a name over 200 characters",
      { name: "n".repeat(201), email: "x@example.org" },
      "body.name",
      "must be at most 200 characters",
    ],
    ["a number for a name", { name: 7, email: "x@example.org" }, "body.name", "must be a string"],
    [
      "an invalid email",
      { name: "N", email: "not-an-email" },
      "body.email",
      "must be a valid email address",
    ],
    [
      "an email over 254 characters",
      { name: "N", email: `${"a".repeat(64)}@${"b".repeat(190)}.org` },
      "body.email",
      "must be at most 254 characters",
    ],
    [
      "an unknown field",
      { name: "N", email: "x@example.org", admin: true },
      "body.admin",
      "is not a known field",
    ],
    [
      "a control character",
      { name: "A\u0000B", email: "x@example.org" },
      "body.name",
      "must not contain control characters",
    ],
    [
      "a line break",
      { name: "A\nB", email: "x@example.org" },
      "body.name",
      "must not contain control characters",
    ],
    [
      "a trailing line break",
      { name: "Ann\n", email: "x@example.org" },
      "body.name",
      "must not contain control characters",
    ],
    [
      "a leading tab",
      { name: "\tAnn", email: "x@example.org" },
      "body.name",
      "must not contain control characters",
    ],
    [
      "a right-to-left override",
      { name: "Ann\u202Egnp.exe", email: "x@example.org" },
      "body.name",
      "must not contain control characters",
    ],
    [
      "a line separator",
      { name: "Ann\u2028B", email: "x@example.org" },
      "body.name",
      "must not contain control characters",
    ],
    [
      "a lone surrogate",
      { name: "A\ud800", email: "x@example.org" },
      "body.name",
      "must be valid Unicode",
    ],
  ])("refuses %s: 400 validation_failed naming the field", async (_, json, path, message) => {
    const before = await countRows("SELECT count(*) AS n FROM students");
    const res = await api("/students", { method: "POST", json });
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors).toContainEqual({ path, message });
    expect(await countRows("SELECT count(*) AS n FROM students")).toBe(before);
  });

  it("stores names NFC-normalised, so one visible name is stored one way", async () => {
    const res = await api("/students", {
      method: "POST",
      json: { name: "Jose\u0301", email: "nfc@example.org" },
    });
    expect(((await res.json()) as Student).name).toBe("Jos\u00e9");
  });

  it("keeps a name of exactly 200 characters", async () => {
    const res = await api("/students", {
      method: "POST",
      json: { name: "n".repeat(200), email: "long-name@example.org" },
    });
    expect(res.status).toBe(201);
  });
});

describe("GET /students/{id}", () => {
  it("returns the student", async () => {
    const student = await createStudent();
    const res = await api(`/students/${student.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(student);
  });

  it("answers 404 student_not_found for an id no student has", async () => {
    await expectProblem(await api("/students/999999"), 404, "student_not_found");
  });

  it.each([
    "abc",
    "0",
    "-1",
    "1.5",
    "1e3",
    "01",
    "9007199254740992",
    "12345678901234567890",
    "%20",
  ])("refuses the path id %s: 400 validation_failed", async (id) => {
    const problem = await expectProblem(await api(`/students/${id}`), 400, "validation_failed");
    expect(problem.errors).toEqual([{ path: "path.id", message: expect.any(String) }]);
  });

  it("accepts the largest safe id, 2^53-1", async () => {
    await expectProblem(await api("/students/9007199254740991"), 404, "student_not_found");
  });
});

describe("DELETE /students/{id}", () => {
  it("deletes the student: 204 with no body, then 404", async () => {
    const student = await createStudent();
    const res = await api(`/students/${student.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    await expectProblem(await api(`/students/${student.id}`), 404, "student_not_found");
    await expectProblem(
      await api(`/students/${student.id}`, { method: "DELETE" }),
      404,
      "student_not_found",
    );
  });

  it("never hands a deleted id to a new student", async () => {
    const student = await createStudent();
    await api(`/students/${student.id}`, { method: "DELETE" });
    const next = await createStudent();
    expect(next.id).toBeGreaterThan(student.id);
  });
});
