import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Enrollment } from "../../src/enrollments/responses";
import { api, createCourse, createStudent, expectProblem, type Page } from "../helpers/api";

// Conditional requests. A client that mirrors data revalidates with the ETag it holds
// (If-None-Match) and gets a 304 with no body while nothing changed; a client that writes
// sends it back (If-Match) so as not to overwrite or delete a version it has not seen.
// PATCH's own If-Match cases are with the updates (updates.test.ts).

const enroll = (studentId: number, courseId: number) =>
  api(`/students/${studentId}/courses`, { method: "POST", json: { course_id: courseId } });
const patch = (path: string, json: unknown, headers: Record<string, string> = {}) =>
  api(path, { method: "PATCH", json, headers });
const rowOf = (table: string, id: number) =>
  env.DB.prepare(`SELECT * FROM ${table} WHERE id = ?`).bind(id).first();

describe("ETags", () => {
  it("a read carries a strong ETag; sending it back gets 304 with no body, the same tag and a request id", async () => {
    const student = await createStudent();
    const first = await api(`/students/${student.id}`);
    const tag = first.headers.get("ETag");
    expect(tag).toMatch(/^"[^"]+"$/); // strong: no W/ prefix
    expect(first.headers.get("Cache-Control")).toBe("private, no-cache");

    const again = await api(`/students/${student.id}`, { headers: { "If-None-Match": tag ?? "" } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("ETag")).toBe(tag);
    expect(again.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.headers.get("Cache-Control")).toBe("private, no-cache");
  });

  it("a list page's tag changes when the page does, and a stale tag gets the new page", async () => {
    const [student, course] = [await createStudent(), await createCourse()];
    const path = `/students/${student.id}/courses`;
    const before = (await api(path)).headers.get("ETag") ?? "";
    expect((await api(path, { headers: { "If-None-Match": before } })).status).toBe(304);

    await enroll(student.id, course.id);
    const after = await api(path, { headers: { "If-None-Match": before } });
    expect(after.status).toBe(200);
    expect(after.headers.get("ETag")).not.toBe(before);
    expect(((await after.json()) as Page<Enrollment>).data).toHaveLength(1);
  });

  it("matches any tag of a list, and *", async () => {
    const student = await createStudent();
    const tag = (await api(`/students/${student.id}`)).headers.get("ETag") ?? "";
    expect(
      (await api(`/students/${student.id}`, { headers: { "If-None-Match": `"old", ${tag}` } }))
        .status,
    ).toBe(304);
    expect(
      (await api(`/students/${student.id}`, { headers: { "If-None-Match": "*" } })).status,
    ).toBe(304);
    expect(
      (await api(`/students/${student.id}`, { method: "HEAD", headers: { "If-None-Match": tag } }))
        .status,
    ).toBe(304);
  });

  it("revalidates a list page with its tag made weak, as Cloudflare's compression sends it", async () => {
    const student = await createStudent();
    const path = `/students/${student.id}/courses`;
    const tag = (await api(path)).headers.get("ETag") ?? "";
    expect(tag).toMatch(/^"[0-9a-f]{40}"$/);
    const again = await api(path, { headers: { "If-None-Match": `W/${tag}` } });
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(tag);
    expect(again.headers.get("Content-Type")).toBeNull();
    expect(await again.text()).toBe("");
  });

  it("never turns a write or an error into a 304, and keeps them out of every cache", async () => {
    const student = await createStudent();
    const tag = (await api(`/students/${student.id}`)).headers.get("ETag") ?? "";
    const missing = await api("/students/999999", { headers: { "If-None-Match": "*" } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("Cache-Control")).toBe("no-store");
    const dropped = await api(`/students/${student.id}`, {
      method: "DELETE",
      headers: { "If-None-Match": tag },
    });
    expect(dropped.status).toBe(204);
    expect(dropped.headers.get("Cache-Control")).toBe("no-store");
  });
});

describe("ETags of another shape revision", () => {
  it("neither revalidate nor pass If-Match: a copy in an older JSON shape is not current", async () => {
    const student = await createStudent();
    const [current, older] = ['"r3.1"', '"r1.1"'];
    expect(
      (await api(`/students/${student.id}`, { headers: { "If-None-Match": current } })).status,
    ).toBe(304);
    expect(
      (await api(`/students/${student.id}`, { headers: { "If-None-Match": older } })).status,
    ).toBe(200);
    // The tags of this API before the revision was added: the bare version.
    expect(
      (await api(`/students/${student.id}`, { headers: { "If-None-Match": '"1"' } })).status,
    ).toBe(200);
    await expectProblem(
      await patch(`/students/${student.id}`, { name: "Old copy" }, { "If-Match": older }),
      412,
      "precondition_failed",
    );
    await expectProblem(
      await patch(`/students/${student.id}`, { name: "Old copy" }, { "If-Match": '"1"' }),
      412,
      "precondition_failed",
    );
    expect(await rowOf("students", student.id)).toMatchObject({ name: student.name, version: 1 });
  });
});

describe("DELETE /students/{id} and /courses/{id} with If-Match", () => {
  const remove = (path: string, tag?: string) =>
    api(path, { method: "DELETE", headers: tag === undefined ? {} : { "If-Match": tag } });

  it("deletes with a current tag; a stale one is 412 precondition_failed and deletes nothing", async () => {
    const student = await createStudent();
    await patch(`/students/${student.id}`, { name: "Edited since" });
    await expectProblem(
      await remove(`/students/${student.id}`, '"r3.1"'),
      412,
      "precondition_failed",
    );
    expect(await rowOf("students", student.id)).toMatchObject({ name: "Edited since", version: 2 });
    expect((await remove(`/students/${student.id}`, '"r3.1", "r3.2"')).status).toBe(204);
    expect(await rowOf("students", student.id)).toBeNull();
  });

  it("is a 404 for a row that is gone, whatever the tag; * and no header delete any version", async () => {
    const [course, other] = [await createCourse(), await createCourse()];
    await expectProblem(await remove("/courses/999999", '"r3.1"'), 404, "course_not_found");
    await patch(`/courses/${course.id}`, { title: "Moved on" });
    expect((await remove(`/courses/${course.id}`, "*")).status).toBe(204);
    expect((await remove(`/courses/${other.id}`)).status).toBe(204);
    expect(await rowOf("courses", course.id)).toBeNull();
  });

  it("refuses a malformed If-Match with a 400, deleting nothing", async () => {
    const course = await createCourse();
    const problem = await expectProblem(
      await remove(`/courses/${course.id}`, "1"),
      400,
      "validation_failed",
    );
    expect(problem.errors).toEqual([{ path: "header.If-Match", message: expect.any(String) }]);
    expect(await rowOf("courses", course.id)).not.toBeNull();
  });
});
