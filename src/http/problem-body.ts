import * as z from "zod/mini";
import { PROBLEMS, type ProblemCode } from "./problems";

// The shape of an error answer, for the OpenAPI document and the tests; the Worker builds
// answers in problems.ts and never imports this module, so it builds none of it at startup.

const fieldError = z.strictObject({ path: z.string(), message: z.string() });
export type FieldError = z.output<typeof fieldError>;

/** The body of every error answer (RFC 9457 plus `code`, `request_id` and field errors). */
export const problemBody = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.enum(Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]]),
  request_id: z.string(),
  errors: z.optional(z.array(fieldError)),
});
