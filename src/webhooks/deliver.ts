import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import {
  NOW,
  nowMoved,
  webhookDeliveries,
  webhookEvents,
  webhookSubscriptions,
} from "../db/schema";
import { logInfo } from "../log";
import { decryptSecret } from "./secrets";
import { signatureHeader } from "./signature";

const d = webhookDeliveries;
const e = webhookEvents;
const s = webhookSubscriptions;

/**
 * Seconds to wait after each failed attempt (Standard Webhooks' schedule): eight attempts in
 * about 27.6 hours, so a receiver down for a day still gets every event. A deployment's
 * WEBHOOK_RETRY_SCHEDULE (seconds, comma-separated) replaces it; the tests shorten it.
 */
export const RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];

/** A receiver that answers nothing for this long has failed the attempt. */
const TIMEOUT_MS = 10_000;

/** Deliveries stop for a subscription whose deliveries all failed for this long. */
const GIVE_UP_AFTER = "-3 days";

/** What an attempt came to, as recorded and logged. */
export type Attempt = {
  delivery_id: number;
  subscription_id: number;
  event_id: string;
  status: number | null;
  error: string | null;
  outcome: "succeeded" | "retry" | "failed" | "gone" | "skipped";
  /** Seconds until the next attempt, for a retry. */
  delay?: number;
};

const deliveryColumns = {
  delivery_id: d.id,
  state: d.state,
  subscription_id: s.id,
  url: s.url,
  secret: s.secret,
  previous_secret: s.previous_secret,
  previous_secret_current: sql<number>`${s.previous_secret_until} > ${NOW}`,
  enabled: s.enabled,
  event_id: e.id,
  type: e.type,
  data: e.data,
  created_at: e.created_at,
};
const selectDeliveries = (db: Database, ids: number[]) =>
  db
    .select(deliveryColumns)
    .from(d)
    .innerJoin(e, eq(e.id, d.event_id))
    .innerJoin(s, eq(s.id, d.subscription_id))
    .where(inArray(d.id, ids));
type DeliveryRow = Awaited<ReturnType<typeof selectDeliveries>>[number];

/** The deliveries `ids` with their event and subscription, in one query, by id. */
export async function loadDeliveries(db: Database, ids: number[]) {
  const found = await selectDeliveries(db, ids);
  return new Map(found.map((row) => [row.delivery_id, row]));
}

/** The body every delivery of an event carries: the same bytes on every attempt. */
export const payloadOf = (row: Pick<DeliveryRow, "type" | "created_at" | "data">) =>
  `{"type":${JSON.stringify(row.type)},"timestamp":${JSON.stringify(row.created_at)},"data":${row.data}}`;

/**
 * Attempts one delivery: signs the payload with the subscription's secrets and POSTs it,
 * following no redirect, reading no response body, giving up after TIMEOUT_MS. `attempt` is
 * the queue's count for this message, from 1; `schedule` the waits between attempts.
 */
export async function attempt(
  row: DeliveryRow,
  attemptNumber: number,
  keys: string | undefined,
  schedule: number[],
): Promise<Attempt> {
  const base = {
    delivery_id: row.delivery_id,
    subscription_id: row.subscription_id,
    event_id: row.event_id,
  };
  if (row.state === "succeeded" || row.state === "failed" || row.enabled !== 1)
    return { ...base, status: null, error: null, outcome: "skipped" };
  const secrets = [await decryptSecret(row.secret, keys)];
  if (row.previous_secret && row.previous_secret_current)
    secrets.push(await decryptSecret(row.previous_secret, keys));
  const body = payloadOf(row);
  const timestamp = Math.floor(Date.now() / 1000);
  let status: number | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(row.url, {
      method: "POST",
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "enrollment-api-webhooks/1",
        "webhook-id": row.event_id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await signatureHeader(secrets, row.event_id, timestamp, body),
      },
    });
    status = response.status;
    await response.body?.cancel();
  } catch (thrown) {
    error = thrown instanceof Error && thrown.name === "TimeoutError" ? "timeout" : "network";
  }
  if (status !== null && status >= 200 && status < 300)
    return { ...base, status, error, outcome: "succeeded" };
  if (status === 410) return { ...base, status, error, outcome: "gone" };
  const delay = schedule[attemptNumber - 1];
  if (delay === undefined) return { ...base, status, error, outcome: "failed" };
  return { ...base, status, error, outcome: "retry", delay };
}

/** The statements that record an attempt: on the delivery, and on its subscription's health. */
export function recordAttempt(db: Database, result: Attempt) {
  const { outcome } = result;
  if (outcome === "skipped")
    return [
      db
        .update(d)
        .set({ state: "failed", last_error: "subscription disabled" })
        .where(sql`${d.id} = ${result.delivery_id} AND ${d.state} IN ('pending', 'queued')`),
    ];
  const attempted = db
    .update(d)
    .set({
      attempts: sql`${d.attempts} + 1`,
      last_status: result.status,
      last_error:
        outcome === "gone" ? "receiver answered 410: subscription disabled" : result.error,
      last_attempt_at: NOW,
      state: outcome === "succeeded" ? "succeeded" : outcome === "retry" ? "queued" : "failed",
      next_attempt_at: outcome === "retry" ? nowMoved(`+${result.delay} seconds`) : null,
    })
    .where(eq(d.id, result.delivery_id));
  const health =
    outcome === "succeeded"
      ? db.update(s).set({ failing_since: null }).where(eq(s.id, result.subscription_id))
      : outcome === "gone"
        ? db
            .update(s)
            .set({ enabled: 0, disabled_reason: "gone", updated_at: NOW })
            .where(eq(s.id, result.subscription_id))
        : db
            .update(s)
            .set({
              failing_since: sql`coalesce(${s.failing_since}, ${NOW})`,
              enabled: sql`CASE WHEN ${s.failing_since} < ${nowMoved(GIVE_UP_AFTER)} THEN 0 ELSE ${s.enabled} END`,
              disabled_reason: sql`CASE WHEN ${s.failing_since} < ${nowMoved(GIVE_UP_AFTER)} THEN 'failing' ELSE ${s.disabled_reason} END`,
            })
            .where(eq(s.id, result.subscription_id));
  return [attempted, health];
}

/** One log object per attempt: ids, status and outcome; never the URL or a secret. */
export function logAttempt(result: Attempt, attemptNumber: number): void {
  logInfo("webhook.delivery", {
    subscription_id: result.subscription_id,
    event_id: result.event_id,
    delivery_id: result.delivery_id,
    attempt: attemptNumber,
    status: result.status,
    error: result.error,
    outcome: result.outcome,
  });
}

/** Deliveries whose queue messages outlived the queue's own retries: failed. */
export const markDeadLettered = (db: Database, ids: number[]) =>
  db
    .update(d)
    .set({ state: "failed", last_error: "dead-lettered" })
    .where(and(inArray(d.id, ids), inArray(d.state, ["pending", "queued"])));
