import * as z from "zod/mini";
import { idSchema } from "../lib/ids";
import { lazy } from "../lib/lazy";
import { idPageQuery } from "../lib/pagination";
import { textSchema } from "../lib/text";
import { MAX_URL_LENGTH } from "./url";

/** Request shapes of /webhooks, checked by its routes; the types below are inferred from them. */

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

const eventChoice = lazy(() =>
  z.enum([...EVENT_TYPES, "*"], {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is no event type: use "*" or one of ${EVENT_TYPES.join(", ")}`,
  }),
);

/** An absolute http(s) URL, with no whitespace and no user info; the host is checked after. */
export const URL_SHAPE = /^https?:\/\/(?![^/?#]*@)[^\s/?#]+(?:[/?#]\S*)?$/;

// Whether the scheme may be http and which hosts are refused is checked in the handler
// (src/webhooks/url.ts): a local receiver is allowed by the deployment's setting, which a
// schema cannot see. The OpenAPI document says it in words.
const urlSchema = lazy(() =>
  z
    .string()
    .check(
      z.trim(),
      z.maxLength(MAX_URL_LENGTH),
      z.regex(URL_SHAPE, "must be an absolute https URL, without spaces or a user name"),
    ),
);

const eventsSchema = lazy(() =>
  z.array(eventChoice()).check(
    z.minLength(1, 'must name at least one event type, or "*"'),
    z.refine((events) => new Set(events).size === events.length, "must not repeat an event type"),
  ),
);

/** A note for people: what the subscription is for. */
export const webhookDescription = lazy(() => textSchema(500));

export const createWebhookBody = lazy(() =>
  z.strictObject({
    url: urlSchema(),
    events: eventsSchema(),
    description: z.optional(webhookDescription()),
  }),
);

/** `PATCH /webhooks/{id}`: a new URL, events or description; `enabled: true` re-enables. */
export const updateWebhookBody = lazy(() =>
  z
    .strictObject({
      url: z.optional(urlSchema()),
      events: z.optional(eventsSchema()),
      description: z.optional(z.nullable(webhookDescription())),
      enabled: z.optional(z.boolean()),
    })
    .check(
      z.refine(
        (body) => Object.keys(body).length > 0,
        "must change at least one field: url, events, description or enabled",
      ),
    ),
);

/** Delivery states as the API shows them: one on the queue is still pending. */
export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

export const deliveryListQuery = lazy(() =>
  z.extend(idPageQuery(), {
    status: z.optional(z.enum(DELIVERY_STATUSES)),
  }),
);

export const deliveryParams = lazy(() => z.object({ id: idSchema(), delivery_id: idSchema() }));

export type NewWebhook = z.output<ReturnType<typeof createWebhookBody>>;
export type WebhookChanges = z.output<ReturnType<typeof updateWebhookBody>>;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
