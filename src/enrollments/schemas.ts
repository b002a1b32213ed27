import * as z from "zod/mini";
import { ENROLLMENT_STATUSES } from "../db/schema";
import { idSchema, idValue } from "../lib/ids";
import { idPageQuery } from "../lib/pagination";

/** Request and response shapes of enrollments; the types below are inferred from them. */

export const MAX_BULK = 100;

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
  status: z._default(z.enum([...ENROLLMENT_STATUSES, "all"]), "active"),
});

const enrollmentFields = {
  student_id: idValue,
  course_id: idValue,
  status: z.enum(ENROLLMENT_STATUSES),
  enrolled_at: z.string(),
  dropped_at: z.nullable(z.string()),
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
      result: z.enum(["created", "reactivated", "unchanged"]),
      enrollment,
    }),
  ),
});

export type Enrollment = z.output<typeof enrollment>;
export type BulkEnrollment = z.output<typeof bulkEnrollment>;
export type RosterEntry = z.output<typeof rosterEntry>;
export type EnrollmentStatusFilter = z.output<typeof enrollmentListQuery>["status"];
