import * as z from "zod/mini";
import { lazy } from "../lib/lazy";
import { idPageQuery } from "../lib/pagination";
import { sisIdSchema } from "../lib/sis-id";
import { textSchema } from "../lib/text";

/** Request shapes of /courses, checked by its routes; the types below are inferred from them. */

// Stored upper-cased, which makes the unique index case-insensitive.
const codeSchema = lazy(() =>
  z
    .string()
    .check(
      z.trim(),
      z.regex(/^[A-Za-z0-9._-]{2,32}$/, "must be 2 to 32 letters, digits, '-', '_' or '.'"),
      z.toUpperCase(),
    ),
);

const titleSchema = lazy(() => textSchema(200));

export const MAX_CAPACITY = 100_000;

/** Said of a bad limit in a body and in an import's CSV file, which writes null as nothing. */
const LIMIT_MESSAGE = `must be a whole number from 0 to ${MAX_CAPACITY}, or null (in a CSV file, empty) for no limit`;

/** Seats, or places in line: a whole number up to 100,000, or null for no limit (the default). */
const limitSchema = lazy(() =>
  z.nullable(
    z.int(LIMIT_MESSAGE).check(z.gte(0, LIMIT_MESSAGE), z.lte(MAX_CAPACITY, LIMIT_MESSAGE)),
  ),
);

const limits = lazy(() => ({
  capacity: z.optional(limitSchema()),
  waitlist_capacity: z.optional(limitSchema()),
}));

export const createCourseBody = lazy(() =>
  z.strictObject({
    code: codeSchema(),
    title: titleSchema(),
    ...limits(),
    sis_id: z.optional(sisIdSchema()),
  }),
);

/** `PATCH /courses/{id}`: any of the fields of a create, at least one, checked the same way. */
export const updateCourseBody = lazy(() =>
  z
    .strictObject({
      code: z.optional(codeSchema()),
      title: z.optional(titleSchema()),
      ...limits(),
      sis_id: z.optional(z.nullable(sisIdSchema())),
    })
    .check(
      z.refine(
        (body) => Object.keys(body).length > 0,
        "must change at least one field: code, title, capacity, waitlist_capacity or sis_id",
      ),
    ),
);

/** `GET /courses`: a page in id order; with `?code=` (any case) or `?sis_id=`, the one course that has it, if any. */
export const courseListQuery = lazy(() =>
  z.extend(idPageQuery(), {
    code: z.optional(codeSchema()),
    sis_id: z.optional(sisIdSchema()),
  }),
);

export type CourseChanges = z.output<ReturnType<typeof updateCourseBody>>;
export type NewCourse = z.output<ReturnType<typeof createCourseBody>>;
