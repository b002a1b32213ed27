import * as z from "zod/mini";
import { idValue } from "../lib/ids";
import { idPageQuery } from "../lib/pagination";
import { textSchema } from "../lib/text";

/** Request and response shapes of /courses; the types below are inferred from them. */

// Stored upper-cased, which makes the unique index case-insensitive.
const codeSchema = z
  .string()
  .check(
    z.trim(),
    z.regex(/^[A-Za-z0-9._-]{2,32}$/, "must be 2 to 32 letters, digits, '-', '_' or '.'"),
    z.toUpperCase(),
  );

const titleSchema = textSchema(200);

export const createCourseBody = z.strictObject({ code: codeSchema, title: titleSchema });

/** `PATCH /courses/{id}`: any of the fields of a create, at least one, checked the same way. */
export const updateCourseBody = z
  .strictObject({ code: z.optional(codeSchema), title: z.optional(titleSchema) })
  .check(
    z.refine(
      (body) => Object.keys(body).length > 0,
      "must change at least one field: code or title",
    ),
  );

/** `GET /courses`: a page in id order; with `?code=`, the one course that has it (any case), if any. */
export const courseListQuery = z.extend(idPageQuery, { code: z.optional(codeSchema) });

// Strict, so the OpenAPI document says no other field is sent (test/helpers/contract.ts checks it).
export const course = z.strictObject({
  id: idValue,
  code: z.string(),
  title: z.string(),
  created_at: z.string(),
});

export type CourseChanges = z.output<typeof updateCourseBody>;
export type NewCourse = z.output<typeof createCourseBody>;
export type Course = z.output<typeof course>;
