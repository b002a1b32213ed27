import { and, asc, desc, eq, gt, inArray, type SQL, sql } from "drizzle-orm";
import type { SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client";
import {
  NOW,
  nowMoved,
  webhookDeliveries,
  webhookEvents,
  webhookSubscriptions,
} from "../db/schema";
import type { Delivery, Webhook } from "./responses";
import type { DeliveryStatus, EventType, NewWebhook } from "./schemas";

const w = webhookSubscriptions;
const d = webhookDeliveries;

/** How long a rotated-out secret keeps signing beside the new one. */
export const ROTATION_OVERLAP = "+24 hours";

/** The columns a client sees of a subscription; events and enabled as SQL gives them. */
const webhookColumns = {
  id: w.id,
  url: w.url,
  events: w.events,
  description: w.description,
  enabled: w.enabled,
  disabled_reason: w.disabled_reason,
  previous_secret_until: w.previous_secret_until,
  created_at: w.created_at,
  updated_at: w.updated_at,
};
type WebhookRow = typeof w.$inferSelect;

/** A subscription's row as the API shows it. */
const toWebhook = (row: Pick<WebhookRow, keyof typeof webhookColumns>): Webhook => ({
  ...row,
  events: JSON.parse(row.events) as Webhook["events"],
  enabled: row.enabled === 1,
});

/** Stores a new subscription, its secret already encrypted. */
export async function insertWebhook(
  db: Database,
  input: NewWebhook,
  encryptedSecret: string,
): Promise<Webhook> {
  const [row] = await db
    .insert(w)
    .values({
      url: input.url,
      events: JSON.stringify(input.events),
      description: input.description ?? null,
      secret: encryptedSecret,
    })
    .returning(webhookColumns);
  if (!row) throw new Error("An INSERT … RETURNING returned no row");
  return toWebhook(row);
}

export async function findWebhook(db: Database, id: number): Promise<Webhook | undefined> {
  const row = await db.select(webhookColumns).from(w).where(eq(w.id, id)).get();
  return row && toWebhook(row);
}

/** `count` subscriptions with an id above `after`, in id order. */
export async function listWebhooks(db: Database, count: number, after = 0): Promise<Webhook[]> {
  const found = await db
    .select(webhookColumns)
    .from(w)
    .where(gt(w.id, after))
    .orderBy(asc(w.id))
    .limit(count);
  return found.map(toWebhook);
}

export type WebhookUpdate = {
  url?: string;
  events?: string[];
  description?: string | null;
  enabled?: boolean;
};

/**
 * Applies `changes`; re-enabling clears why it was disabled and the failures before. Undefined
 * when there is no such subscription.
 */
export async function updateWebhook(
  db: Database,
  id: number,
  changes: WebhookUpdate,
): Promise<Webhook | undefined> {
  const set: SQLiteUpdateSetSource<typeof w> = { updated_at: NOW };
  if (changes.url !== undefined) set.url = changes.url;
  if (changes.events !== undefined) set.events = JSON.stringify(changes.events);
  if (changes.description !== undefined) set.description = changes.description;
  if (changes.enabled !== undefined) {
    set.enabled = changes.enabled ? 1 : 0;
    if (changes.enabled) Object.assign(set, { disabled_reason: null, failing_since: null });
  }
  const [row] = await db.update(w).set(set).where(eq(w.id, id)).returning(webhookColumns);
  return row && toWebhook(row);
}

/** Deletes the subscription and its deliveries; whether there was one. */
export async function deleteWebhook(db: Database, id: number): Promise<boolean> {
  const deleted = await db.delete(w).where(eq(w.id, id)).returning({ id: w.id });
  return deleted.length > 0;
}

/**
 * Makes `encryptedSecret` the signing secret; the one it replaces keeps signing beside it for
 * 24 hours (ROTATION_OVERLAP). Undefined when there is no such subscription.
 */
export async function rotateSecret(
  db: Database,
  id: number,
  encryptedSecret: string,
): Promise<Webhook | undefined> {
  const [row] = await db
    .update(w)
    .set({
      previous_secret: w.secret,
      previous_secret_until: nowMoved(ROTATION_OVERLAP),
      secret: encryptedSecret,
      updated_at: NOW,
    })
    .where(eq(w.id, id))
    .returning(webhookColumns);
  return row && toWebhook(row);
}

/** The states of the table behind each status the API shows. */
const STATES: Record<DeliveryStatus, (typeof d.$inferSelect.state)[]> = {
  pending: ["pending", "queued"],
  succeeded: ["succeeded"],
  failed: ["failed"],
};

const deliveryColumns = {
  id: d.id,
  event_id: d.event_id,
  event_type: sql<EventType>`${webhookEvents.type}`.as("event_type"),
  status: sql<DeliveryStatus>`CASE ${d.state} WHEN 'queued' THEN 'pending' ELSE ${d.state} END`.as(
    "status",
  ),
  attempts: d.attempts,
  last_status_code: d.last_status,
  last_error: d.last_error,
  last_attempt_at: d.last_attempt_at,
  next_attempt_at: d.next_attempt_at,
  created_at: d.created_at,
};

/**
 * The subscription's deliveries, newest first, with an id below `before` (keyset), only those
 * with `status` when given; undefined when there is no such subscription. One batch.
 */
export async function listDeliveries(
  db: Database,
  subscriptionId: number,
  { count, before, status }: { count: number; before?: number; status?: DeliveryStatus },
): Promise<Delivery[] | undefined> {
  const conditions: (SQL | undefined)[] = [
    eq(d.subscription_id, subscriptionId),
    before === undefined ? undefined : sql`${d.id} < ${before}`,
    status === undefined ? undefined : inArray(d.state, STATES[status]),
  ];
  const [owner, found] = await db.batch([
    db.select({ id: w.id }).from(w).where(eq(w.id, subscriptionId)),
    db
      .select(deliveryColumns)
      .from(d)
      .innerJoin(webhookEvents, eq(webhookEvents.id, d.event_id))
      .where(and(...conditions))
      .orderBy(desc(d.id))
      .limit(count),
  ]);
  return owner.length > 0 ? found : undefined;
}

/**
 * Sends a failed delivery again: it becomes pending, to be queued by the next dispatch. What
 * became of it: retried, not failed (nothing to retry), or not found.
 */
export async function retryDelivery(
  db: Database,
  subscriptionId: number,
  deliveryId: number,
): Promise<"retried" | "not_failed" | "disabled" | "not_found"> {
  const mine = and(eq(d.id, deliveryId), eq(d.subscription_id, subscriptionId));
  // A disabled subscription's deliveries are given up at once: retrying one would send nothing.
  const enabled = sql`EXISTS (SELECT 1 FROM ${w} WHERE ${w.id} = ${subscriptionId} AND ${w.enabled} = 1)`;
  const [found, retried] = await db.batch([
    db.select({ state: d.state }).from(d).where(mine),
    db
      .update(d)
      .set({ state: "pending", queued_at: null, next_attempt_at: null, last_error: null })
      .where(and(mine, eq(d.state, "failed"), enabled))
      .returning({ id: d.id }),
  ]);
  const [delivery] = found;
  if (retried.length > 0) return "retried";
  if (!delivery) return "not_found";
  return delivery.state !== "failed" ? "not_failed" : "disabled";
}
