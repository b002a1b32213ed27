import * as z from "zod/mini";
import { idValue } from "../lib/ids";
import { ENROLLMENT_STATES } from "./schemas";

/**
 * What enrollments and the change feed answer with. Only the OpenAPI document and the tests
 * build these schemas; the Worker never imports this module, so it builds none of them at startup.
 */

const enrollmentFields = {
  student_id: idValue(),
  course_id: idValue(),
  status: z.enum(ENROLLMENT_STATES),
  enrolled_at: z.string(),
  dropped_at: z.nullable(z.string()),
  /** 1-based, first come first served; null unless waitlisted. */
  waitlist_position: z.nullable(idValue()),
};

/** An enrollment as a student sees it: with its course. Strict, as every response shape. */
export const enrollment = z.strictObject({
  ...enrollmentFields,
  course: z.strictObject({ id: idValue(), code: z.string(), title: z.string() }),
});

/** An enrollment as a course's roster shows it: with its student. */
export const rosterEntry = z.strictObject({
  ...enrollmentFields,
  student: z.strictObject({ id: idValue(), name: z.string(), email: z.string() }),
});

/** The answer to a bulk enroll: what happened to each course, in the order they were sent. */
export const bulkEnrollment = z.strictObject({
  data: z.array(
    z.strictObject({
      course_id: idValue(),
      result: z.enum(["created", "reactivated", "waitlisted", "unchanged"]),
      enrollment,
    }),
  ),
});

/** One change: the enrollment as it now is (a drop: status dropped), or a tombstone, status `deleted`. */
export const enrollmentChange = z.union([
  z.strictObject({ ...enrollmentFields, updated_at: z.string() }),
  z.strictObject({
    student_id: idValue(),
    course_id: idValue(),
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
