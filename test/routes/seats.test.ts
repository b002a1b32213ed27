import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Course } from "../../src/courses/responses";
import type { Enrollment, RosterEntry } from "../../src/enrollments/responses";
import { api, createCourse, createStudent, expectProblem, type Page } from "../helpers/api";

// Seat limits and waitlists under concurrency: each enroll and drop is one batch, one D1
// transaction, so no interleaving can oversell a seat or lose a place in line.

const enroll = (studentId: number, courseId: number) =>
  api(`/students/${studentId}/courses`, { method: "POST", json: { course_id: courseId } });
const drop = (studentId: number, courseId: number) =>
  api(`/students/${studentId}/courses/${courseId}`, { method: "DELETE" });
const limit = async (courseId: number, capacity: number | null, waitlist: number | null) => {
  const res = await api(`/courses/${courseId}`, {
    method: "PATCH",
    json: { capacity, waitlist_capacity: waitlist },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Course;
};

/** The course's seats and line as the database holds them. */
async function seatsOf(courseId: number) {
  const { results } = await env.DB.prepare(
    `SELECT student_id, status, waitlist_seq FROM student_courses WHERE course_id = ? AND status = 'active'
     ORDER BY waitlist_seq`,
  )
    .bind(courseId)
    .all<{ student_id: number; status: string; waitlist_seq: number | null }>();
  return {
    seated: results.filter((r) => r.waitlist_seq === null).map((r) => r.student_id),
    line: results.filter((r) => r.waitlist_seq !== null).map((r) => r.student_id),
  };
}

const students = (n: number) =>
  Promise.all(Array.from({ length: n }, () => createStudent())).then((all) => all.map((s) => s.id));

describe("seats and waitlists", () => {
  it("200 concurrent enrolls into 25 seats and a line of 50: 25 active, 50 waitlisted at 1…50, 125 course_full", async () => {
    const course = await createCourse();
    await limit(course.id, 25, 50);
    const ids = await students(200);
    const answers = await Promise.all(ids.map((id) => enroll(id, course.id)));
    const bodies = await Promise.all(answers.map((r) => r.clone().json()));
    const ok = bodies.filter((_, i) => answers[i]?.status === 201) as Enrollment[];
    expect(ok.filter((e) => e.status === "active")).toHaveLength(25);
    const waiting = ok.filter((e) => e.status === "waitlisted");
    expect(waiting.map((e) => e.waitlist_position).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const refused = answers.filter((r) => r.status === 409);
    expect(refused).toHaveLength(125);
    await expectProblem(defined(refused[0]), 409, "course_full");
    const held = await seatsOf(course.id);
    expect(held.seated).toHaveLength(25);
    // The line in the database is the order of the positions the answers gave.
    const byPosition = [...waiting]
      .sort((a, b) => (a.waitlist_position ?? 0) - (b.waitlist_position ?? 0))
      .map((e) => e.student_id);
    expect(held.line).toEqual(byPosition);
  });

  it("a drop of a seat promotes the head of the line; a drop in the line moves everyone behind up", async () => {
    const course = await createCourse();
    await limit(course.id, 2, null);
    const [a, b, c, d, e] = await students(5);
    for (const id of [a, b, c, d, e]) await enroll(defined(id), course.id);
    expect(await seatsOf(course.id)).toEqual({ seated: [a, b], line: [c, d, e] });

    expect((await drop(defined(a), course.id)).status).toBe(204);
    expect(await seatsOf(course.id)).toEqual({ seated: [b, c], line: [d, e] });
    // The change feed carries the promotion: the promoted enrollment, active, after the drop.
    const feed = (await (await api("/enrollments?limit=1000")).json()) as {
      data: { student_id: number; course_id: number; status: string }[];
    };
    const ofCourse = feed.data.filter((e) => e.course_id === course.id);
    expect(ofCourse.slice(-2).map((e) => [e.student_id, e.status])).toEqual([
      [a, "dropped"],
      [c, "active"],
    ]);

    const promoted = (await (
      await api(`/students/${c}/courses/${course.id}`)
    ).json()) as Enrollment;
    expect(promoted).toMatchObject({ status: "active", waitlist_position: null });

    expect((await drop(defined(d), course.id)).status).toBe(204);
    expect(await seatsOf(course.id)).toEqual({ seated: [b, c], line: [e] });
    const last = (await (await api(`/students/${e}/courses/${course.id}`)).json()) as Enrollment;
    expect(last).toMatchObject({ status: "waitlisted", waitlist_position: 1 });

    // A dropped student who enrolls again goes to the back of the line.
    const again = (await (await enroll(defined(a), course.id)).json()) as Enrollment;
    expect(again).toMatchObject({ status: "waitlisted", waitlist_position: 2 });
    // Re-enrolling a waiting student changes nothing and keeps the place.
    const repeat = await enroll(defined(e), course.id);
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toMatchObject({ status: "waitlisted", waitlist_position: 1 });
  });

  it("deleting a student gives each seat they held to the head of that course's line", async () => {
    const [first, second] = [await createCourse(), await createCourse()];
    await limit(first.id, 1, null);
    await limit(second.id, 1, null);
    const [leaving, waiter, other, late] = await students(4);
    for (const id of [leaving, waiter]) await enroll(defined(id), first.id);
    for (const id of [leaving, other]) await enroll(defined(id), second.id);
    expect(await seatsOf(first.id)).toEqual({ seated: [leaving], line: [waiter] });

    expect((await api(`/students/${leaving}`, { method: "DELETE" })).status).toBe(204);
    expect(await seatsOf(first.id)).toEqual({ seated: [waiter], line: [] });
    expect(await seatsOf(second.id)).toEqual({ seated: [other], line: [] });
    const promoted = (await (
      await api(`/students/${waiter}/courses/${first.id}`)
    ).json()) as Enrollment;
    expect(promoted).toMatchObject({ status: "active", waitlist_position: null });
    // The feed carries it, and a newcomer waits behind the seat it filled.
    const feed = (await (await api("/enrollments?limit=1000")).json()) as {
      data: { student_id: number; course_id: number; status: string }[];
    };
    // Both changes of the one transaction, the seat's end and its new holder, in either order.
    const ofFirst = feed.data.filter((e) => e.course_id === first.id);
    expect(ofFirst.slice(-2).map((e) => [e.student_id, e.status])).toEqual(
      expect.arrayContaining([
        [leaving, "deleted"],
        [waiter, "active"],
      ]),
    );
    const newcomer = (await (await enroll(defined(late), first.id)).json()) as Enrollment;
    expect(newcomer).toMatchObject({ status: "waitlisted", waitlist_position: 1 });
  });

  it("deleting a course deletes its whole line with its seats", async () => {
    const course = await createCourse();
    await limit(course.id, 1, null);
    const [seated, waiter] = await students(2);
    for (const id of [seated, waiter]) await enroll(defined(id), course.id);
    expect((await api(`/courses/${course.id}`, { method: "DELETE" })).status).toBe(204);
    const { results } = await env.DB.prepare(
      "SELECT student_id FROM student_courses WHERE course_id = ?",
    )
      .bind(course.id)
      .all();
    expect(results).toEqual([]);
  });

  it("a refused drop changes nothing, even with a seat free while students wait", async () => {
    const course = await createCourse();
    await limit(course.id, 1, null);
    const [seated, waiter, stranger] = await students(3);
    for (const id of [seated, waiter]) await enroll(defined(id), course.id);
    // A seat freed behind the API's back (by hand in SQL): the line is not promoted by it.
    await env.DB.prepare("UPDATE courses SET capacity = 2 WHERE id = ?").bind(course.id).run();
    const before = await seatsOf(course.id);
    expect(before).toEqual({ seated: [seated], line: [waiter] });

    await expectProblem(await drop(defined(stranger), course.id), 404, "enrollment_not_found");
    await expectProblem(await drop(9_999_999, course.id), 404, "student_not_found");
    expect(await seatsOf(course.id)).toEqual(before);
  });

  it("concurrent drops and enrolls, several rounds: never more active than seats, the line dense, promotions to its head, nobody lost", async () => {
    const course = await createCourse();
    await limit(course.id, 10, 20);
    const ids = await students(60);
    let before = await seatsOf(course.id);
    const byId = (a: number, b: number) => a - b;
    for (let round = 0; round < 4; round++) {
      const enrolled = [...before.seated, ...before.line];
      const toDrop = enrolled.filter((_, i) => i % 3 === round % 3);
      const toEnroll = ids.filter((id) => !enrolled.includes(id)).slice(0, 15);
      const [dropped, enrolls] = await Promise.all([
        Promise.all(toDrop.map((id) => drop(id, course.id))),
        Promise.all(toEnroll.map((id) => enroll(id, course.id))),
      ]);
      for (const r of dropped) expect(r.status).toBe(204);
      for (const r of enrolls) expect([201, 409]).toContain(r.status);
      const held = await seatsOf(course.id);
      expect(held.seated.length).toBeLessThanOrEqual(10);
      // Nobody waits while a seat is free.
      if (held.seated.length < 10) expect(held.line).toEqual([]);
      expect(held.line.length).toBeLessThanOrEqual(20);

      // Nobody lost: whoever held a seat or a place and did not drop still does, and so
      // does every newcomer answered 201; nobody else.
      const accepted = toEnroll.filter((_, i) => enrolls[i]?.status === 201);
      const kept = enrolled.filter((id) => !toDrop.includes(id));
      expect([...held.seated, ...held.line].toSorted(byId)).toEqual(
        [...kept, ...accepted].toSorted(byId),
      );
      // Seats freed went to the head of the line: those seated from the old line are its
      // first ones, the rest still lead it in their order, and no newcomer got a seat
      // while anyone from the old line still waits.
      const waited = before.line.filter((id) => !toDrop.includes(id));
      const promoted = waited.filter((id) => held.seated.includes(id));
      expect(promoted).toEqual(waited.slice(0, promoted.length));
      const stillWaiting = waited.slice(promoted.length);
      expect(held.line.slice(0, stillWaiting.length)).toEqual(stillWaiting);
      if (stillWaiting.length > 0) {
        expect(held.seated.filter((id) => accepted.includes(id))).toEqual([]);
      }
      for (const [i, id] of held.line.entries()) {
        const shown = (await (
          await api(`/students/${id}/courses/${course.id}`)
        ).json()) as Enrollment;
        expect(shown.waitlist_position).toBe(i + 1);
      }
      before = held;
    }
  });
});

describe("bulk enroll with seats", () => {
  it("is all or nothing: a 409 naming every full course, nothing written; else each course's outcome", async () => {
    const [open, lined, full, fuller] = [
      await createCourse(),
      await createCourse(),
      await createCourse(),
      await createCourse(),
    ];
    const [a, b, student] = await students(3);
    await limit(lined.id, 1, null);
    await limit(full.id, 1, 0);
    await limit(fuller.id, 0, 0);
    await enroll(defined(a), lined.id);
    await enroll(defined(b), full.id);
    const bulk = (ids: number[]) =>
      api(`/students/${student}/courses`, { method: "POST", json: { course_ids: ids } });

    const refused = await expectProblem(
      await bulk([open.id, full.id, lined.id, fuller.id]),
      409,
      "course_full",
    );
    expect(refused.detail).toBe(
      `Courses ${full.id}, ${fuller.id} have no free seat and no room on their waitlists; nothing was enrolled.`,
    );
    expect(refused.errors).toEqual([
      { path: "body.course_ids.1", message: "has no free seat and no room on its waitlist" },
      { path: "body.course_ids.3", message: "has no free seat and no room on its waitlist" },
    ]);
    const mine = (await (
      await api(`/students/${student}/courses?status=all`)
    ).json()) as Page<Enrollment>;
    expect(mine.data).toEqual([]);

    const res = await bulk([open.id, lined.id]);
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { course_id: number; result: string }[] };
    expect(data.map(({ course_id, result }) => [course_id, result])).toEqual([
      [open.id, "created"],
      [lined.id, "waitlisted"],
    ]);
  });

  it("takes a student already in a course with no room left as unchanged, by one id or a list of one", async () => {
    const course = await createCourse();
    const [seated, waiting, newcomer] = await students(3);
    await limit(course.id, 1, 1);
    expect((await enroll(defined(seated), course.id)).status).toBe(201);
    expect((await enroll(defined(waiting), course.id)).status).toBe(201);
    const before = await seatsOf(course.id);

    for (const [student, status] of [
      [seated, "active"],
      [waiting, "waitlisted"],
    ] as const) {
      const again = await enroll(defined(student), course.id);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ status });
      const listed = await api(`/students/${student}/courses`, {
        method: "POST",
        json: { course_ids: [course.id] },
      });
      expect(await listed.json()).toMatchObject({
        data: [{ course_id: course.id, result: "unchanged", enrollment: { status } }],
      });
    }
    await expectProblem(await enroll(defined(newcomer), course.id), 409, "course_full");
    const listed = await api(`/students/${newcomer}/courses`, {
      method: "POST",
      json: { course_ids: [course.id] },
    });
    await expectProblem(listed, 409, "course_full");
    expect(await seatsOf(course.id)).toEqual(before);
  });
});

describe("a course's waitlist", () => {
  it("lists in position order, paged by a cursor that holds a place however the line moves", async () => {
    const course = await createCourse();
    await limit(course.id, 1, null);
    // Ids in the opposite order to the line, so that id order would show it backwards.
    const ids = (await students(6)).reverse();
    for (const id of ids) await enroll(id, course.id);
    const line = ids.slice(1);
    const path = `/courses/${course.id}/students?status=waitlisted&limit=2`;
    const first = (await (await api(path)).json()) as Page<RosterEntry>;
    expect(first.data.map((e) => [e.student_id, e.waitlist_position])).toEqual([
      [line[0], 1],
      [line[1], 2],
    ]);
    // The head leaves the line between two pages: nobody is skipped or shown twice.
    await drop(defined(line[0]), course.id);
    const second = (await (
      await api(`${path}&cursor=${encodeURIComponent(defined(first.next_cursor ?? undefined))}`)
    ).json()) as Page<RosterEntry>;
    expect(second.data.map((e) => [e.student_id, e.waitlist_position])).toEqual([
      [line[2], 2],
      [line[3], 3],
    ]);
    const mine = (await (
      await api(`/students/${line[4]}/courses?status=waitlisted`)
    ).json()) as Page<Enrollment>;
    expect(mine.data).toMatchObject([{ course_id: course.id, waitlist_position: 4 }]);
  });
});

describe("a course's seats", () => {
  it("are set on create and shown with their counts, consistent in one read", async () => {
    const res = await api("/courses", {
      method: "POST",
      json: { code: "SEATS-1", title: "Seats", capacity: 2, waitlist_capacity: 0 },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      capacity: 2,
      waitlist_capacity: 0,
      enrolled_count: 0,
      waitlisted_count: 0,
      seats_available: 2,
    });
  });

  it("refuse a negative, fractional or too large capacity with a 400, changing nothing", async () => {
    const course = await createCourse();
    for (const capacity of [-1, 2.5, 100_001, "10"]) {
      await expectProblem(
        await api(`/courses/${course.id}`, { method: "PATCH", json: { capacity } }),
        400,
        "validation_failed",
      );
    }
    const shown = (await (await api(`/courses/${course.id}`)).json()) as Course;
    expect(shown.capacity).toBeNull();
  });

  it("raised, promote as many of the line as now fit, in order; lowered, evict nobody", async () => {
    const course = await createCourse();
    await limit(course.id, 1, null);
    const [a, b, c, d] = await students(4);
    for (const id of [a, b, c, d]) await enroll(defined(id), course.id);
    const before = await (await api(`/courses/${course.id}`)).json();
    expect(before).toMatchObject({ enrolled_count: 1, waitlisted_count: 3, seats_available: 0 });

    expect(await limit(course.id, 3, null)).toMatchObject({
      enrolled_count: 3,
      waitlisted_count: 1,
      seats_available: 0,
    });
    expect(await seatsOf(course.id)).toEqual({ seated: [a, b, c], line: [d] });

    expect(await limit(course.id, 1, null)).toMatchObject({
      enrolled_count: 3,
      waitlisted_count: 1,
      seats_available: 0,
    });
    // Drops bring the count down; only under the new capacity does the line move.
    await drop(defined(a), course.id);
    await drop(defined(b), course.id);
    expect(await seatsOf(course.id)).toEqual({ seated: [c], line: [d] });
    await drop(defined(c), course.id);
    expect(await seatsOf(course.id)).toEqual({ seated: [d], line: [] });
  });

  it("refused by a stale If-Match, change nothing, even with a seat free while students wait", async () => {
    const course = await createCourse();
    await limit(course.id, 1, null);
    const [seated, waiter] = await students(2);
    for (const id of [seated, waiter]) await enroll(defined(id), course.id);
    // A seat freed behind the API's back (by hand in SQL): the line is not promoted by it.
    await env.DB.prepare("UPDATE courses SET capacity = 2 WHERE id = ?").bind(course.id).run();
    const stale = await api(`/courses/${course.id}`, {
      method: "PATCH",
      json: { title: "Too late" },
      headers: { "If-Match": '"999"' },
    });
    await expectProblem(stale, 412, "precondition_failed");
    expect(await seatsOf(course.id)).toEqual({ seated: [seated], line: [waiter] });
    // An update that is made fills the free seat from the line.
    expect((await limit(course.id, 2, null)).enrolled_count).toBe(2);
    expect(await seatsOf(course.id)).toEqual({
      seated: expect.arrayContaining([seated, waiter]),
      line: [],
    });
  });

  it("change the course's ETag when the counts move, so a cached copy revalidates", async () => {
    const course = await createCourse();
    const tag = (await api(`/courses/${course.id}`)).headers.get("ETag") ?? "";
    const [student] = await students(1);
    await enroll(defined(student), course.id);
    const again = await api(`/courses/${course.id}`, { headers: { "If-None-Match": tag } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ enrolled_count: 1 });
    // If-Match reads only the version: a count that moved refuses no update.
    const patched = await api(`/courses/${course.id}`, {
      method: "PATCH",
      json: { title: "Still mine" },
      headers: { "If-Match": tag },
    });
    expect(patched.status).toBe(200);
  });
});

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("undefined");
  return value;
}
