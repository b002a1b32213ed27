import { and, lte, type SQL, sql } from "drizzle-orm";
import { type Database, database } from "./db/client";
import { keptSince } from "./db/idempotency";
import { idempotencyKeys, webhookEvents, webhookFanOut } from "./db/schema";
import { logError, logInfo } from "./log";
import { dispatchPending } from "./webhooks/dispatch";

// Every Cron Trigger job ([triggers] in wrangler.toml), one function each. Like a request,
// each statement is one D1 round trip, and a job is safe to run again after a failure.

/** The job of the every-minute Cron Trigger; the other is hourly. */
export const EVERY_MINUTE = "* * * * *";

/**
 * Every minute: webhook deliveries that no wake-up handed to the queue (`dispatchPending`).
 * Hourly: the Idempotency-Keys older than 24 hours, and the webhook events (with their
 * deliveries) older than 30 days, deleted.
 */
export const scheduled: ExportedHandlerScheduledHandler<Env> = async (controller, env) => {
  const db = database(env.DB);
  try {
    if (controller.cron === EVERY_MINUTE) {
      const queued = await dispatchPending(db, env.WEBHOOKS);
      logInfo("webhook.dispatch", { cron: controller.cron, queued });
      return;
    }
    const deleted = await deleteOlderThan(db, idempotencyKeys, keptSince());
    logInfo("idempotency_keys.expired", { cron: controller.cron, deleted });
    const events = await deleteOlderThan(
      db,
      webhookEvents,
      webhookEventsKeptSince(),
      fannedOutButNewest,
    );
    logInfo("webhook_events.expired", { cron: controller.cron, deleted: events });
  } catch (error) {
    // Thrown on, so the run shows as failed; the next hour's run deletes what this one left.
    logError("scheduled run failed", { cron: controller.cron }, error);
    throw error;
  }
};

const CLEAN_UP_CHUNK = 1000;

/** Webhook events, and the record of their deliveries, are kept this long. */
const WEBHOOK_EVENTS_KEPT_MS = 30 * 24 * 3600_000;
const webhookEventsKeptSince = () => new Date(Date.now() - WEBHOOK_EVENTS_KEPT_MS).toISOString();

/**
 * Of the events, only those the dispatcher has made deliveries of may go, and never the
 * newest: the next event's rowid follows it, and the dispatcher's mark counts on rowids that
 * only grow (migrations/0013).
 */
const fannedOutButNewest = sql`rowid <= (SELECT after_rowid FROM ${webhookFanOut} WHERE id = 1) AND rowid < (SELECT max(rowid) FROM ${webhookEvents})`;

/**
 * Deletes the rows of `table` created before `since` (and meeting `also`), a chunk at a
 * time, so that no statement runs long however many expired at once. Returns how many it
 * deleted.
 */
async function deleteOlderThan(
  db: Database,
  table: typeof idempotencyKeys | typeof webhookEvents,
  since: string,
  also?: SQL,
): Promise<number> {
  // Both tables have created_at; drizzle's builders are typed for one table at a time.
  const t = table as typeof idempotencyKeys;
  let deleted = 0;
  for (;;) {
    const expired = db
      .select({ rowid: sql`rowid` })
      .from(t)
      .where(and(lte(t.created_at, since), also))
      .limit(CLEAN_UP_CHUNK);
    const { meta } = await db.delete(t).where(sql`rowid in ${expired}`).run();
    deleted += meta.changes;
    if (meta.changes < CLEAN_UP_CHUNK) return deleted;
  }
}
