import * as z from "zod/mini";
import { idValue } from "../lib/ids";

/**
 * What /students answers with. Only the OpenAPI document and the tests build these schemas;
 * the Worker never imports this module, so it builds none of them at startup.
 */

// Strict, so the OpenAPI document says no other field is sent (test/helpers/contract.ts checks it).
export const student = z.strictObject({
  id: idValue(),
  name: z.string(),
  email: z.string(),
  /** The school's own id for the student; null: none. */
  sis_id: z.nullable(z.string()),
  created_at: z.string(),
});

export type Student = z.output<typeof student>;
