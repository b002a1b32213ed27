import * as z from "zod/mini";
import { idValue } from "../lib/ids";
import { DELIVERY_STATUSES, EVENT_TYPES } from "./schemas";

/**
 * What /webhooks answers with, and the body of every delivery. Only the OpenAPI document and
 * the tests build these schemas; the Worker never imports this module, so it builds none of
 * them at startup.
 */

export const webhook = z.strictObject({
  id: idValue(),
  url: z.string(),
  events: z.array(z.enum([...EVENT_TYPES, "*"])),
  description: z.nullable(z.string()),
  enabled: z.boolean(),
  /** Why deliveries stopped: the receiver answered 410, or failed for three days. */
  disabled_reason: z.nullable(z.enum(["gone", "failing"])),
  /** Until when a rotated-out secret still signs alongside the new one. */
  previous_secret_until: z.nullable(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});

/** A subscription as created or rotated: with its signing secret, shown only then. */
export const webhookWithSecret = z.extend(webhook, { secret: z.string() });

export const delivery = z.strictObject({
  id: idValue(),
  event_id: z.string(),
  event_type: z.enum(EVENT_TYPES),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.int(),
  /** The receiver's status code in the last attempt; null before one, or when it gave none. */
  last_status_code: z.nullable(z.int()),
  /** Why the last attempt failed without a status code (`timeout`, `network`), or was given up. */
  last_error: z.nullable(z.string()),
  last_attempt_at: z.nullable(z.string()),
  next_attempt_at: z.nullable(z.string()),
  created_at: z.string(),
});

// The body of every delivery: the event's type, the time it was committed, and its data: ids,
// statuses, dates and the names of changed fields, never a name or an email (the receiver
// reads those through the API with its own token). migrations/0008 writes them.
const enrollmentEvent = z.strictObject({
  type: z.enum([
    "enrollment.created",
    "enrollment.reactivated",
    "enrollment.dropped",
    "enrollment.waitlisted",
    "enrollment.promoted",
  ]),
  timestamp: z.string(),
  data: z.strictObject({
    student_id: idValue(),
    course_id: idValue(),
    status: z.enum(["active", "waitlisted", "dropped"]),
    waitlist_position: z.nullable(z.int()),
    enrolled_at: z.string(),
    dropped_at: z.nullable(z.string()),
  }),
});

/** A student's or course's event: created (with its time), updated (which fields), deleted. */
const resourceEvent = <const T extends string, const F extends string>(
  resource: T,
  fields: [F, ...F[]],
) =>
  z.strictObject({
    type: z.enum([`${resource}.created`, `${resource}.updated`, `${resource}.deleted`]),
    timestamp: z.string(),
    data: z.strictObject({
      id: idValue(),
      created_at: z.optional(z.string()),
      fields: z.optional(z.array(z.enum(fields))),
    }),
  });

export const eventPayload = z.union([
  enrollmentEvent,
  resourceEvent("student", ["name", "email", "sis_id"]),
  resourceEvent("course", ["code", "title", "capacity", "waitlist_capacity", "sis_id"]),
]);

export type Webhook = z.output<typeof webhook>;
export type Delivery = z.output<typeof delivery>;
