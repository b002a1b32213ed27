import * as z from "zod/mini";
import { lazy } from "../lib/lazy";
import { idPageQuery } from "../lib/pagination";
import { sisIdSchema } from "../lib/sis-id";
import { textSchema } from "../lib/text";

/** Request shapes of /students, checked by its routes; the types below are inferred from them. */

// Stored lower-cased, which makes the unique index case-insensitive. Checked as sent, before
// lower-casing: a case mapping turns some other letters into ASCII ones (the Kelvin sign into
// k), which the OpenAPI document's pattern could not show.
const emailSchema = lazy(() =>
  z
    .string()
    .check(
      z.trim(),
      z.maxLength(254),
      z.regex(z.regexes.email, "must be a valid email address"),
      z.toLowerCase(),
    ),
);

const nameSchema = lazy(() => textSchema(200));

export const createStudentBody = lazy(() =>
  z.strictObject({
    name: nameSchema(),
    email: emailSchema(),
    sis_id: z.optional(sisIdSchema()),
  }),
);

/** `PATCH /students/{id}`: any of the fields of a create, at least one, checked the same way. */
export const updateStudentBody = lazy(() =>
  z
    .strictObject({
      name: z.optional(nameSchema()),
      email: z.optional(emailSchema()),
      sis_id: z.optional(z.nullable(sisIdSchema())),
    })
    .check(
      z.refine(
        (body) => Object.keys(body).length > 0,
        "must change at least one field: name, email or sis_id",
      ),
    ),
);

/** `GET /students`: a page in id order; with `?email=` (any case) or `?sis_id=`, the one student who has it, if any. */
export const studentListQuery = lazy(() =>
  z.extend(idPageQuery(), {
    email: z.optional(emailSchema()),
    sis_id: z.optional(sisIdSchema()),
  }),
);

export type StudentChanges = z.output<ReturnType<typeof updateStudentBody>>;
export type NewStudent = z.output<ReturnType<typeof createStudentBody>>;
