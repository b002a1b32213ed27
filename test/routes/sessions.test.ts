import { describe, expect, it } from "vitest";
import type { Student } from "../../src/students/responses";
import { api, countRows, createStudent, expectProblem } from "../helpers/api";

// D1 read replication through the Sessions API: every answer carries the session's bookmark,
// and a client that sends it back reads at least what that answer saw.

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

describe("X-D1-Bookmark", () => {
  it("comes with every answer that read or wrote, writes and reads alike", async () => {
    const created = await api("/students", {
      method: "POST",
      json: { name: "Bookmarked", email: "bookmark@example.org" },
    });
    expect(created.headers.get("X-D1-Bookmark")).toMatch(BOOKMARK);
    expect((await api("/students")).headers.get("X-D1-Bookmark")).toMatch(BOOKMARK);
  });

  it("sent back, reads the client's own write (read-your-writes)", async () => {
    const created = await api("/students", {
      method: "POST",
      json: { name: "Mine", email: "mine@example.org" },
    });
    const { id } = (await created.json()) as Student;
    const bookmark = created.headers.get("X-D1-Bookmark") ?? "";
    const read = await api(`/students/${id}`, { headers: { "X-D1-Bookmark": bookmark } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as Student).email).toBe("mine@example.org");
    // Bookmarks only move forward.
    expect((read.headers.get("X-D1-Bookmark") ?? "") >= bookmark).toBe(true);
  });

  it("leaves a path no route serves to its 404, whatever bookmark comes with it", async () => {
    await expectProblem(
      await api("/nowhere", { headers: { "X-D1-Bookmark": "garbage" } }),
      404,
      "not_found",
    );
  });

  it.each([
    "garbage",
    "00000000-00000001",
    "00000000-00000001-00000000-0000000000000000000000000000000G",
  ])("refuses the malformed bookmark %j: 400, and changes nothing", async (bookmark) => {
    const student = await createStudent();
    const before = await countRows("SELECT count(*) AS n FROM students");
    for (const res of [
      await api(`/students/${student.id}`, { headers: { "X-D1-Bookmark": bookmark } }),
      await api("/students", {
        method: "POST",
        json: { name: "No", email: "no@example.org" },
        headers: { "X-D1-Bookmark": bookmark },
      }),
    ]) {
      const problem = await expectProblem(res, 400, "validation_failed");
      expect(problem.errors).toEqual([
        { path: "header.X-D1-Bookmark", message: expect.any(String) },
      ]);
    }
    expect(await countRows("SELECT count(*) AS n FROM students")).toBe(before);
  });
});
