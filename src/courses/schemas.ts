import * as z from "zod/mini";
import { idValue } from "../lib/ids";
import { textSchema } from "../lib/text";

/** Request and response shapes of /courses; the types below are inferred from them. */

export const createCourseBody = z.strictObject({
  // Stored upper-cased, which makes the unique index case-insensitive.
  code: z.string().check(
    z.trim(),
    z.regex(/^[A-Za-z0-9._-]{2,32}$/, "must be 2 to 32 letters, digits, '-', '_' or '.'"),
    z.toUpperCase(),
  ),
  title: textSchema(200),
});

// Strict, so the OpenAPI document says no other field is sent (test/contract.ts checks it).
export const course = z.strictObject({
  id: idValue,
  code: z.string(),
  title: z.string(),
  created_at: z.string(),
});

export type NewCourse = z.output<typeof createCourseBody>;
export type Course = z.output<typeof course>;
