import * as z from "zod/mini";
import { ENROLLMENT_STATUSES } from "../db/schema";
import { idSchema, idValue } from "../lib/ids";
import { idPageQuery } from "../lib/pagination";

/** Request and response shapes of enrollments; the types below are inferred from them. */

export const enrollBody = z.strictObject({
  course_id: idValue,
});

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

export type Enrollment = z.output<typeof enrollment>;
export type RosterEntry = z.output<typeof rosterEntry>;
export type EnrollmentStatusFilter = z.output<typeof enrollmentListQuery>["status"];
