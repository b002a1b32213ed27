import { describe, expect, it } from "vitest";
import { api, createCourse, createStudent } from "../helpers/api";

// Conditional GETs: a client that mirrors data revalidates with the ETag it holds and gets
// a 304 with no body while nothing changed.

const enroll = (studentId: number, courseId: number) =>
  api(`/students/${studentId}/courses`, { method: "POST", json: { course_id: courseId } });

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
    expect(((await after.json()) as { data: unknown[] }).data).toHaveLength(1);
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
