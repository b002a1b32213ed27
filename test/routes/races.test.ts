import { describe, expect, it } from "vitest";
import type { Enrollment } from "../../src/enrollments/responses";
import {
  api,
  countRows as count,
  createCourse,
  createStudent,
  type ProblemBody,
} from "../helpers/api";

// Concurrent requests against one D1. Each enrollment request is one batch, which D1 runs
// as one transaction, so every response must tell the truth about the state it left.

const enroll = (studentId: number, courseId: number) =>
  api(`/students/${studentId}/courses`, { method: "POST", json: { course_id: courseId } });
const orphans = () =>
  count(`SELECT count(*) AS n FROM student_courses sc
         WHERE NOT EXISTS (SELECT 1 FROM students s WHERE s.id = sc.student_id)
            OR NOT EXISTS (SELECT 1 FROM courses c WHERE c.id = sc.course_id)`);

describe("races", () => {
  it.each([
    [
      "students",
      "email_taken",
      (i: number) => ({
        name: `Twin ${i}`,
        email: i % 2 ? "twin@example.org" : "TWIN@Example.org",
      }),
      "email = 'twin@example.org'",
    ],
    [
      "courses",
      "code_taken",
      (i: number) => ({ code: i % 2 ? "race-1" : "RACE-1", title: `Race ${i}` }),
      "code = 'RACE-1'",
    ],
  ] as const)(
    "20 parallel creations of one %s: exactly one 201, 19 × 409 %s, one row",
    async (resource, code, body, where) => {
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          api(`/${resource}`, { method: "POST", json: body(i) }),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(19).fill(409)]);
      const conflicts = await Promise.all(
        responses.filter((r) => r.status === 409).map((r) => r.json() as Promise<ProblemBody>),
      );
      expect(new Set(conflicts.map((p) => p.code))).toEqual(new Set([code]));
      expect(await count(`SELECT count(*) AS n FROM ${resource} WHERE ${where}`)).toBe(1);
    },
  );

  it("25 identical concurrent enrollments: exactly one 201, 24 × 200, one row", async () => {
    const [student, course] = [await createStudent(), await createCourse()];
    const responses = await Promise.all(
      Array.from({ length: 25 }, () => enroll(student.id, course.id)),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(24).fill(200), 201]);
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(
      await count("SELECT count(*) AS n FROM student_courses WHERE student_id = ?", student.id),
    ).toBe(1);
  });

  it("concurrent re-enrollments of a dropped enrollment: exactly one 201 (re-activated), the rest 200", async () => {
    const [student, course] = [await createStudent(), await createCourse()];
    await enroll(student.id, course.id);
    await api(`/students/${student.id}/courses/${course.id}`, { method: "DELETE" });
    const statuses = (
      await Promise.all(Array.from({ length: 10 }, () => enroll(student.id, course.id)))
    ).map((r) => r.status);
    expect(statuses.sort()).toEqual([...Array(9).fill(200), 201]);
  });

  // Rounds from 2 on send both requests together: true races, whose order the runtime picks
  // (here the delete tends to win: an enroll parses and validates a body first). Rounds 0
  // and 1 send them one after the other, each order once, so both orders surely happen; each
  // test checks that they did, and that every answer is consistent with the end state.
  async function race<T>(
    round: number,
    enroll: () => Promise<T>,
    other: () => Promise<T>,
  ): Promise<[T, T]> {
    if (round === 0) {
      const enrolled = await enroll();
      return [enrolled, await other()];
    }
    if (round === 1) {
      const answered = await other();
      return [await enroll(), answered];
    }
    return Promise.all([enroll(), other()]);
  }

  it.each(["student", "course"] as const)(
    "an enrollment racing the delete of its %s never leaves an orphan, and both answers are true",
    async (target) => {
      const outcomes = new Set<number>();
      for (let round = 0; round < 10; round++) {
        const [student, course] = [await createStudent(), await createCourse()];
        const victim = target === "student" ? `/students/${student.id}` : `/courses/${course.id}`;
        const [enrolled, deleted] = await race(
          round,
          () => enroll(student.id, course.id),
          () => api(victim, { method: "DELETE" }),
        );
        expect(deleted.status).toBe(204);
        // Either the enrollment came first (201, then cascaded away) or the delete did (404).
        expect([201, 404]).toContain(enrolled.status);
        if (enrolled.status === 404)
          expect(((await enrolled.json()) as ProblemBody).code).toBe(`${target}_not_found`);
        outcomes.add(enrolled.status);
        expect(
          await count(
            "SELECT count(*) AS n FROM student_courses WHERE student_id = ? OR course_id = ?",
            student.id,
            course.id,
          ),
        ).toBe(0);
      }
      expect(outcomes).toEqual(new Set([201, 404]));
      expect(await orphans()).toBe(0);
    },
  );

  it("concurrent enroll and drop of one pair end in a state that matches the last answer", async () => {
    const [student, course] = [await createStudent(), await createCourse()];
    await enroll(student.id, course.id);
    const endings = new Set<string>();
    for (let round = 0; round < 10; round++) {
      const [enrolled, dropped] = await race(
        round,
        () => enroll(student.id, course.id),
        () => api(`/students/${student.id}/courses/${course.id}`, { method: "DELETE" }),
      );
      const state = (
        (await (await api(`/students/${student.id}/courses/${course.id}`)).json()) as Enrollment
      ).status;
      // Active before the round: 200 then 204 leaves it dropped; 204 then 201 leaves it active.
      if (enrolled.status === 201)
        expect({ dropped: dropped.status, state }).toEqual({ dropped: 204, state: "active" });
      else
        expect({ enrolled: enrolled.status, dropped: dropped.status, state }).toEqual({
          enrolled: 200,
          dropped: 204,
          state: "dropped",
        });
      endings.add(state);
      if (state === "dropped") await enroll(student.id, course.id);
    }
    expect(endings).toEqual(new Set(["active", "dropped"]));
    expect(
      await count("SELECT count(*) AS n FROM student_courses WHERE student_id = ?", student.id),
    ).toBe(1);
  });
});
