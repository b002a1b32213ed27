import * as z from "zod/mini";
import { idSchema, idValue } from "../lib/ids";
import { idPageQuery } from "../lib/pagination";
import { textSchema } from "../lib/text";
import { MAX_URL_LENGTH } from "./url";

/** Request and response shapes of /webhooks and of the events delivered; types inferred below. */

/** Every event a subscription can ask for; the triggers of migrations/0008 write them. */
export const EVENT_TYPES = [
  "enrollment.created",
  "enrollment.reactivated",
  "enrollment.dropped",
  "enrollment.waitlisted",
  "enrollment.promoted",
  "student.created",
  "student.updated",
  "student.deleted",
  "course.created",
  "course.updated",
  "course.deleted",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const eventChoice = z.enum([...EVENT_TYPES, "*"], {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is no event type: use "*" or one of ${EVENT_TYPES.join(", ")}`,
});

/** An absolute http(s) URL, with no whitespace and no user info; the host is checked after. */
export const URL_SHAPE = /^https?:\/\/(?![^/?#]*@)[^\s/?#]+(?:[/?#]\S*)?$/;

// Whether the scheme may be http and which hosts are refused is checked in the handler
// (src/webhooks/url.ts): a local receiver is allowed by the deployment's setting, which a
// schema cannot see. The OpenAPI document says it in words.
const urlSchema = z
  .string()
  .check(
    z.trim(),
    z.maxLength(MAX_URL_LENGTH),
    z.regex(URL_SHAPE, "must be an absolute https URL, without spaces or a user name"),
  );

const eventsSchema = z.array(eventChoice).check(
  z.minLength(1, 'must name at least one event type, or "*"'),
  z.refine((events) => new Set(events).size === events.length, "must not repeat an event type"),
);

/** A note for people: what the subscription is for. */
export const webhookDescription = textSchema(500);

export const createWebhookBody = z.strictObject({
  url: urlSchema,
  events: eventsSchema,
  description: z.optional(webhookDescription),
});

/** `PATCH /webhooks/{id}`: a new URL, events or description; `enabled: true` re-enables. */
export const updateWebhookBody = z
  .strictObject({
    url: z.optional(urlSchema),
    events: z.optional(eventsSchema),
    description: z.optional(z.nullable(webhookDescription)),
    enabled: z.optional(z.boolean()),
  })
  .check(
    z.refine(
      (body) => Object.keys(body).length > 0,
      "must change at least one field: url, events, description or enabled",
    ),
  );

export const webhook = z.strictObject({
  id: idValue,
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

/** Delivery states as the API shows them: one on the queue is still pending. */
export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

export const deliveryListQuery = z.extend(idPageQuery, {
  status: z.optional(z.enum(DELIVERY_STATUSES)),
});

export const deliveryParams = z.object({ id: idSchema, delivery_id: idSchema });

export const delivery = z.strictObject({
  id: idValue,
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
    student_id: idValue,
    course_id: idValue,
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
      id: idValue,
      created_at: z.optional(z.string()),
      fields: z.optional(z.array(z.enum(fields))),
    }),
  });

export const eventPayload = z.union([
  enrollmentEvent,
  resourceEvent("student", ["name", "email"]),
  resourceEvent("course", ["code", "title", "capacity", "waitlist_capacity"]),
]);

export type NewWebhook = z.output<typeof createWebhookBody>;
export type WebhookChanges = z.output<typeof updateWebhookBody>;
export type Webhook = z.output<typeof webhook>;
export type Delivery = z.output<typeof delivery>;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
