import * as z from "zod/mini";
import { idSchema, idValue } from "../lib/ids";
import { lazy } from "../lib/lazy";
import { cursorSchema, idPageQuery, limitSchema } from "../lib/pagination";
import { timestampQuery } from "../lib/timestamp";

/** Request shapes of enrollments and the change feed, checked by their routes. */

export const MAX_BULK = 100;

/** An enrollment's status as the API shows it: waiting for a seat is `waitlisted`. */
export const ENROLLMENT_STATES = ["active", "waitlisted", "dropped"] as const;

/** One course, `{"course_id"}`, or up to 100 distinct ones at once, `{"course_ids"}`. */
export const enrollBody = lazy(() =>
  z.union([
    z.strictObject({ course_id: idValue() }),
    z.strictObject({
      course_ids: z.array(idValue()).check(
        z.minLength(1, "must list at least one course id"),
        z.maxLength(MAX_BULK, `must list at most ${MAX_BULK} course ids`),
        z.refine((ids) => new Set(ids).size === ids.length, "must not list a course id twice"),
      ),
    }),
  ]),
);

export const enrollmentParams = lazy(() => z.object({ id: idSchema(), course_id: idSchema() }));

/** `?status=` (active by default, or dropped, or all) with the usual `limit` and `cursor`. */
export const enrollmentListQuery = lazy(() =>
  z.extend(idPageQuery(), {
    status: z._default(z.enum([...ENROLLMENT_STATES, "all"]), "active"),
  }),
);

/** A place in the change feed: after this (time of change, student id, course id). */
export type ChangePosition = readonly [time: string, studentId: number, courseId: number];

/** Before every change: the empty string sorts before any time. */
export const FEED_START: ChangePosition = ["", 0, 0];

const isIdOrZero = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** `GET /enrollments`: changes since a time, or after a cursor, up to 1,000 a page. */
export const changesQuery = lazy(() =>
  z.strictObject({
    updated_since: z.optional(timestampQuery()),
    cursor: z.optional(
      // Any text as the time: the cursor holds whatever the database stamped.
      cursorSchema(([time, student, course, ...rest]): ChangePosition | undefined =>
        rest.length === 0 && typeof time === "string" && isIdOrZero(student) && isIdOrZero(course)
          ? [time, student, course]
          : undefined,
      ),
    ),
    limit: z._default(limitSchema(1000), 100),
  }),
);

export type ChangesQuery = z.output<ReturnType<typeof changesQuery>>;
export type EnrollmentStatusFilter = z.output<ReturnType<typeof enrollmentListQuery>>["status"];
