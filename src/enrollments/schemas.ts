import * as z from "zod/mini";
import { idSchema, idValue } from "../lib/ids";
import { cursorSchema, idPageQuery, limitSchema } from "../lib/pagination";
import { timestampQuery } from "../lib/timestamp";

/** Request and response shapes of enrollments; the types below are inferred from them. */

export const MAX_BULK = 100;

/** An enrollment's status as the API shows it: waiting for a seat is `waitlisted`. */
export const ENROLLMENT_STATES = ["active", "waitlisted", "dropped"] as const;

/** One course, `{"course_id"}`, or up to 100 distinct ones at once, `{"course_ids"}`. */
export const enrollBody = z.union([
  z.strictObject({ course_id: idValue }),
  z.strictObject({
    course_ids: z.array(idValue).check(
      z.minLength(1, "must list at least one course id"),
      z.maxLength(MAX_BULK, `must list at most ${MAX_BULK} course ids`),
      z.refine((ids) => new Set(ids).size === ids.length, "must not list a course id twice"),
    ),
  }),
]);

export const enrollmentParams = z.object({ id: idSchema, course_id: idSchema });

/** `?status=` (active by default, or dropped, or all) with the usual `limit` and `cursor`. */
export const enrollmentListQuery = z.extend(idPageQuery, {
  status: z._default(z.enum([...ENROLLMENT_STATES, "all"]), "active"),
});

const enrollmentFields = {
  student_id: idValue,
  course_id: idValue,
  status: z.enum(ENROLLMENT_STATES),
  enrolled_at: z.string(),
  dropped_at: z.nullable(z.string()),
  /** 1-based, first come first served; null unless waitlisted. */
  waitlist_position: z.nullable(idValue),
};

/** An enrollment as a student sees it: with its course. Strict, as every response shape. */
export const enrollment = z.strictObject({
  ...enrollmentFields,
  course: z.strictObject({ id: idValue, code: z.string(), title: z.string() }),
});

/** An enrollment as a course's roster shows it: with its student. */
export const rosterEntry = z.strictObject({
  ...enrollmentFields,
  student: z.strictObject({ id: idValue, name: z.string(), email: z.string() }),
});

/** The answer to a bulk enroll: what happened to each course, in the order they were sent. */
export const bulkEnrollment = z.strictObject({
  data: z.array(
    z.strictObject({
      course_id: idValue,
      result: z.enum(["created", "reactivated", "waitlisted", "unchanged"]),
      enrollment,
    }),
  ),
});

/** A place in the change feed: after this (time of change, student id, course id). */
export type ChangePosition = readonly [time: string, studentId: number, courseId: number];

/** Before every change: the empty string sorts before any time. */
export const FEED_START: ChangePosition = ["", 0, 0];

const isIdOrZero = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** `GET /enrollments`: changes since a time, or after a cursor, up to 1,000 a page. */
export const changesQuery = z.strictObject({
  updated_since: z.optional(timestampQuery),
  cursor: z.optional(
    // Any text as the time: the cursor holds whatever the database stamped.
    cursorSchema(([time, student, course, ...rest]): ChangePosition | undefined =>
      rest.length === 0 && typeof time === "string" && isIdOrZero(student) && isIdOrZero(course)
        ? [time, student, course]
        : undefined,
    ),
  ),
  limit: z._default(limitSchema(1000), 100),
});

/** One change: the enrollment as it now is (a drop: status dropped), or a tombstone, status `deleted`. */
export const enrollmentChange = z.union([
  z.strictObject({ ...enrollmentFields, updated_at: z.string() }),
  z.strictObject({
    student_id: idValue,
    course_id: idValue,
    status: z.literal("deleted"),
    updated_at: z.string(),
  }),
]);

/** A page of the change feed. Unlike other lists, it always has a cursor: the place to ask again from later. */
export const changesPage = z.strictObject({
  data: z.array(enrollmentChange),
  next_cursor: z.string(),
  has_more: z.boolean(),
});

export type Enrollment = z.output<typeof enrollment>;
export type BulkEnrollment = z.output<typeof bulkEnrollment>;
export type RosterEntry = z.output<typeof rosterEntry>;
export type EnrollmentChange = z.output<typeof enrollmentChange>;
export type ChangesPage = z.output<typeof changesPage>;
export type ChangesQuery = z.output<typeof changesQuery>;
export type EnrollmentStatusFilter = z.output<typeof enrollmentListQuery>["status"];
