import * as z from "zod/mini";
import { idValue } from "../lib/ids";

/**
 * What /courses answers with. Only the OpenAPI document and the tests build these schemas;
 * the Worker never imports this module, so it builds none of them at startup.
 */

// Strict, so the OpenAPI document says no other field is sent (test/helpers/contract.ts checks it).
export const course = z.strictObject({
  id: idValue(),
  code: z.string(),
  title: z.string(),
  /** The school's own id for the course; null: none. */
  sis_id: z.nullable(z.string()),
  created_at: z.string(),
  /** Seats; null: unlimited. */
  capacity: z.nullable(z.int()),
  /** Places in line once the seats are taken; null: unlimited, 0: no waitlist. */
  waitlist_capacity: z.nullable(z.int()),
  enrolled_count: z.int(),
  waitlisted_count: z.int(),
  /** Free seats; null when the seats are unlimited. */
  seats_available: z.nullable(z.int()),
});

export type Course = z.output<typeof course>;
