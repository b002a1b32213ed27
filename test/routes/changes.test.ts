import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ChangesPage, EnrollmentChange } from "../../src/enrollments/responses";
import { encodeCursor } from "../../src/lib/cursor";
import { api, createCourse, createStudent, expectProblem } from "../helpers/api";
import { TEST_TOKENS } from "../helpers/tokens";

// GET /enrollments, the change feed: a client mirrors every enrollment by following it.

const enroll = (studentId: number, courseIds: number[]) =>
  api(`/students/${studentId}/courses`, { method: "POST", json: { course_ids: courseIds } });
const drop = (studentId: number, courseId: number) =>
  api(`/students/${studentId}/courses/${courseId}`, { method: "DELETE" });

async function feed(query: string): Promise<ChangesPage> {
  const res = await api(`/enrollments?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ChangesPage;
}

const keyOf = (c: { student_id: number; course_id: number }) => `${c.student_id}/${c.course_id}`;
const orderOf = (c: EnrollmentChange) => [c.updated_at, c.student_id, c.course_id] as const;
const isBefore = (a: EnrollmentChange, b: EnrollmentChange) => {
  const [x, y] = [orderOf(a), orderOf(b)];
  return x[0] !== y[0] ? x[0] < y[0] : x[1] !== y[1] ? x[1] < y[1] : x[2] < y[2];
};

/** In key order: the tombstones of one delete may come in any order among themselves. */
const byKey = (changes: EnrollmentChange[]) =>
  changes.sort((a, b) => a.student_id - b.student_id || a.course_id - b.course_id);

/** A client's copy of the enrollments: it applies each page in turn, as the docs tell it to. */
class Mirror {
  readonly rows = new Map<string, EnrollmentChange>();
  readonly seen: EnrollmentChange[] = [];
  cursor: string | undefined;

  /** Pages until has_more is false; returns the changes it applied. */
  async follow(limit = 3): Promise<EnrollmentChange[]> {
    const applied: EnrollmentChange[] = [];
    for (let more = true; more; ) {
      const page = await feed(`limit=${limit}${this.cursor ? `&cursor=${this.cursor}` : ""}`);
      for (const change of page.data) {
        if (change.status === "deleted") this.rows.delete(keyOf(change));
        else this.rows.set(keyOf(change), change);
      }
      applied.push(...page.data);
      [this.cursor, more] = [page.next_cursor, page.has_more];
    }
    this.seen.push(...applied);
    return applied;
  }
}

/** Every enrollment in the database, as the feed shows a current one. */
async function database(): Promise<Map<string, EnrollmentChange>> {
  const { results } = await env.DB.prepare(
    `SELECT student_id, course_id, CASE WHEN waitlist_seq IS NULL THEN status ELSE 'waitlisted' END AS status,
       enrolled_at, dropped_at,
       CASE WHEN waitlist_seq IS NULL THEN NULL ELSE (SELECT count(*) FROM student_courses AS ahead
         WHERE ahead.course_id = sc.course_id AND ahead.waitlist_seq <= sc.waitlist_seq) END AS waitlist_position,
       updated_at
     FROM student_courses AS sc`,
  ).all<EnrollmentChange>();
  return new Map(results.map((row) => [keyOf(row), row]));
}

/** A cursor after every change made so far. */
async function now(): Promise<string> {
  const mirror = new Mirror();
  await mirror.follow(1000);
  return mirror.cursor as string;
}

describe("GET /enrollments", () => {
  it("lets a mirror follow every change, drops and deletions included, and end equal to the database", async () => {
    const mirror = new Mirror();
    const [ana, ben] = [await createStudent(), await createStudent()];
    const [bio, chem, art] = [await createCourse(), await createCourse(), await createCourse()];
    await enroll(ana.id, [bio.id, chem.id]);
    await enroll(ben.id, [bio.id, chem.id, art.id]);
    await mirror.follow();
    expect(mirror.rows).toEqual(await database());

    await drop(ana.id, bio.id);
    await enroll(ben.id, [art.id]); // unchanged: not a change
    const afterDrop = await mirror.follow();
    expect(afterDrop).toEqual([
      expect.objectContaining({
        student_id: ana.id,
        course_id: bio.id,
        status: "dropped",
        dropped_at: expect.any(String),
      }),
    ]);

    await enroll(ana.id, [bio.id]);
    expect(await mirror.follow()).toEqual([
      expect.objectContaining({
        student_id: ana.id,
        course_id: bio.id,
        status: "active",
        dropped_at: null,
      }),
    ]);

    expect((await api(`/courses/${chem.id}`, { method: "DELETE" })).status).toBe(204);
    expect(byKey(await mirror.follow())).toEqual([
      { student_id: ana.id, course_id: chem.id, status: "deleted", updated_at: expect.any(String) },
      { student_id: ben.id, course_id: chem.id, status: "deleted", updated_at: expect.any(String) },
    ]);
    expect((await api(`/students/${ben.id}`, { method: "DELETE" })).status).toBe(204);
    expect(byKey(await mirror.follow()).map((c) => [c.student_id, c.course_id, c.status])).toEqual([
      [ben.id, bio.id, "deleted"],
      [ben.id, art.id, "deleted"],
    ]);
    expect(mirror.rows).toEqual(await database());
    // In (updated_at, student_id, course_id) order throughout, across pages and polls.
    expect(
      mirror.seen.every(
        (change, i) => i === 0 || isBefore(mirror.seen[i - 1] as EnrollmentChange, change),
      ),
    ).toBe(true);
  });

  it("answers the same changes at any page size; the last page says has_more: false and still has a cursor", async () => {
    const from = await now();
    const student = await createStudent();
    const courses = await Promise.all(Array.from({ length: 5 }, () => createCourse()));
    await enroll(
      student.id,
      courses.map((c) => c.id),
    );
    await drop(student.id, courses[2]?.id ?? 0);

    const whole = await feed(`cursor=${from}&limit=1000`);
    expect(whole.data).toHaveLength(5);
    expect(whole.has_more).toBe(false);
    const paged: EnrollmentChange[] = [];
    let cursor = from;
    for (let pages = 1; ; pages++) {
      const page = await feed(`cursor=${cursor}&limit=2`);
      paged.push(...page.data);
      cursor = page.next_cursor;
      if (!page.has_more) {
        expect(pages).toBe(3);
        break;
      }
    }
    expect(paged).toEqual(whole.data);
    // Nothing new: an empty page that keeps the place.
    expect(await feed(`cursor=${cursor}`)).toEqual({
      data: [],
      next_cursor: cursor,
      has_more: false,
    });
  });

  it("gives every write its own time, in the order they commit", async () => {
    const student = await createStudent();
    const courses = await Promise.all(Array.from({ length: 3 }, () => createCourse()));
    const times: string[] = [];
    for (const course of courses) {
      await enroll(student.id, [course.id]);
      times.push(
        (await database()).get(keyOf({ student_id: student.id, course_id: course.id }))
          ?.updated_at ?? "",
      );
    }
    expect([...times].sort()).toEqual(times);
    expect(new Set(times).size).toBe(times.length);
  });

  it("stamps every kind of change after any change already served, even when the clock behind it runs late", async () => {
    const [ana, ben] = [await createStudent(), await createStudent()];
    const [c1, c2, c3] = [await createCourse(), await createCourse(), await createCourse()];
    await enroll(ana.id, [c1.id, c2.id]);
    await drop(ana.id, c2.id);
    await enroll(ben.id, [c3.id]);
    // A change stamped an hour ahead (a primary whose clock ran fast), then served to a mirror.
    const mirror = new Mirror();
    await mirror.follow(1000);
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    await env.DB.batch([
      env.DB.prepare("UPDATE change_clock SET at = ?").bind(ahead),
      env.DB.prepare(
        "UPDATE student_courses SET updated_at = ? WHERE student_id = ? AND course_id = ?",
      ).bind(ahead, ben.id, c3.id),
    ]);
    expect((await mirror.follow()).map(keyOf)).toEqual([
      keyOf({ student_id: ben.id, course_id: c3.id }),
    ]);

    // Each kind of change, on a clock an hour behind that one, still comes after it.
    const next = async () =>
      byKey(await mirror.follow()).map((c) => [
        c.student_id,
        c.course_id,
        c.status,
        c.updated_at > ahead,
      ]);
    await enroll(ana.id, [c3.id]);
    expect(await next()).toEqual([[ana.id, c3.id, "active", true]]);
    await enroll(ana.id, [c2.id]);
    expect(await next()).toEqual([[ana.id, c2.id, "active", true]]);
    await drop(ana.id, c1.id);
    expect(await next()).toEqual([[ana.id, c1.id, "dropped", true]]);
    expect((await api(`/courses/${c3.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await next()).toEqual([
      [ana.id, c3.id, "deleted", true],
      [ben.id, c3.id, "deleted", true],
    ]);
    expect((await api(`/students/${ana.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await next()).toEqual([
      [ana.id, c1.id, "deleted", true],
      [ana.id, c2.id, "deleted", true],
    ]);
  });

  it("shows changes made outside the API too (SQL by hand, or the previous Worker during a deploy)", async () => {
    const mirror = new Mirror();
    await mirror.follow(1000);
    const [student, course] = [await createStudent(), await createCourse()];
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO student_courses (student_id, course_id, updated_at) VALUES (?, ?, '2020-01-01T00:00:00.000Z')",
      ).bind(student.id, course.id),
      env.DB.prepare(
        "UPDATE student_courses SET status = 'dropped', dropped_at = '2020-01-02T00:00:00.000Z' WHERE student_id = ?",
      ).bind(student.id),
    ]);
    expect((await mirror.follow()).map((c) => [c.student_id, c.status])).toEqual([
      [student.id, "dropped"],
    ]);
    await env.DB.prepare("DELETE FROM students WHERE id = ?").bind(student.id).run();
    expect((await mirror.follow()).map((c) => [c.student_id, c.status])).toEqual([
      [student.id, "deleted"],
    ]);
    expect(mirror.rows).toEqual(await database());
  });

  it("takes back any cursor it gave, even one holding a time written by hand", async () => {
    const mirror = new Mirror();
    await mirror.follow(1000);
    const [student, course] = [await createStudent(), await createCourse()];
    await enroll(student.id, [course.id]);
    await env.DB.prepare(
      "UPDATE student_courses SET updated_at = '9000-01-01 00:00:00' WHERE student_id = ?",
    )
      .bind(student.id)
      .run();
    expect((await mirror.follow(1)).map(keyOf)).toEqual([
      keyOf({ student_id: student.id, course_id: course.id }),
    ]);
    expect(await feed(`cursor=${mirror.cursor}`)).toEqual({
      data: [],
      next_cursor: mirror.cursor,
      has_more: false,
    });
    // Leave the feed's order as the other tests expect it.
    expect((await api(`/students/${student.id}`, { method: "DELETE" })).status).toBe(204);
  });

  it("misses nothing while writes race with a mirror's polls", async () => {
    const mirror = new Mirror();
    await mirror.follow(1000);
    const students = await Promise.all(Array.from({ length: 4 }, () => createStudent()));
    const courses = await Promise.all(Array.from({ length: 4 }, () => createCourse()));
    const writes = students.flatMap((s) =>
      courses.flatMap((c, i) => [
        enroll(s.id, [c.id]).then(() => (i % 2 ? drop(s.id, c.id) : undefined)),
      ]),
    );
    let polling = true;
    const polls = (async () => {
      while (polling) await mirror.follow(2);
    })();
    await Promise.all(writes);
    await api(`/students/${students[0]?.id}`, { method: "DELETE" });
    polling = false;
    await polls;
    await mirror.follow();
    expect(mirror.rows).toEqual(await database());
  });

  it("starts at updated_since, that time included, in any offset; a cursor before it does not go back", async () => {
    const student = await createStudent();
    const [first, second] = [await createCourse(), await createCourse()];
    await enroll(student.id, [first.id]);
    await enroll(student.id, [second.id]);
    const secondTime =
      (await database()).get(keyOf({ student_id: student.id, course_id: second.id }))?.updated_at ??
      "";

    const since = await feed(`updated_since=${secondTime}`);
    expect(since.data.map(keyOf)).toEqual([
      keyOf({ student_id: student.id, course_id: second.id }),
    ]);
    // The same instant with an offset (its + percent-encoded) and digits past the millisecond.
    const offset = new Date(Date.parse(secondTime) + 2 * 3_600_000)
      .toISOString()
      .replace("Z", "999%2B02:00");
    expect(await feed(`updated_since=${offset}`)).toEqual(since);
    // With a cursor as well, the later place wins: past the cursor, or from the time on.
    expect(await feed(`updated_since=${secondTime}&cursor=${since.next_cursor}`)).toEqual({
      ...since,
      data: [],
    });
    const beforeEverything = (await feed("limit=1")).next_cursor;
    expect((await feed(`updated_since=${secondTime}&cursor=${beforeEverything}`)).data).toEqual(
      since.data,
    );
  });

  it("is a read: a read-only token may follow it", async () => {
    const res = await api("/enrollments?limit=1", { token: TEST_TOKENS.read });
    expect(res.status).toBe(200);
  });

  it("revalidates a poll that finds nothing new: 304", async () => {
    const cursor = await now();
    const first = await api(`/enrollments?cursor=${cursor}`);
    const tag = first.headers.get("ETag") ?? "";
    expect(
      (await api(`/enrollments?cursor=${cursor}`, { headers: { "If-None-Match": tag } })).status,
    ).toBe(304);
    const student = await createStudent();
    await enroll(student.id, [(await createCourse()).id]);
    expect(
      (await api(`/enrollments?cursor=${cursor}`, { headers: { "If-None-Match": tag } })).status,
    ).toBe(200);
  });

  it.each([
    ["updated_since=yesterday", "query.updated_since"],
    ["updated_since=2026-02-30T00:00:00Z", "query.updated_since"],
    ["updated_since=2026-11-24T25:00:00Z", "query.updated_since"],
    ["updated_since=2026-11-24", "query.updated_since"],
    ["updated_since=2026-11-24T10:00:00 02:00", "query.updated_since"],
    ["updated_since=0000-01-01T00:00:00%2B01:00", "query.updated_since"],
    ["cursor=bm9wZQ", "query.cursor"],
    [`cursor=${encodeCursor([20261124, 1, 1])}`, "query.cursor"],
    [`cursor=${encodeCursor(["2026-11-24T10:00:00.000Z", -1, 1])}`, "query.cursor"],
    [`cursor=${encodeCursor(["2026-11-24T10:00:00.000Z", 1, 1, 1])}`, "query.cursor"],
    ["limit=1001", "query.limit"],
    ["limit=0", "query.limit"],
    ["since=2026-11-24T10:00:00Z", "query.since"],
  ])("refuses %s: 400 naming the parameter", async (query, path) => {
    const body = await expectProblem(await api(`/enrollments?${query}`), 400, "validation_failed");
    expect(body.errors?.map((e) => e.path)).toEqual([path]);
  });
});
