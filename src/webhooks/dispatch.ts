import { and, eq, inArray, lt, or, sql } from "drizzle-orm";
import { createMiddleware } from "hono/factory";
import type { Database } from "../db/client";
import { NOW, nowMoved, webhookDeliveries } from "../db/schema";
import { type Bound, batchRows } from "../db/statement";
import type { AppEnv } from "../env";
import type { WebhookMessage } from "./messages";

const d = webhookDeliveries;

/** Events turned into deliveries per batch, so that no statement runs long after a backlog. */
const FAN_OUT_CHUNK = 500;

/** At most this many deliveries are handed to the queue per dispatch (sendBatch's limit). */
const DISPATCH_CHUNK = 100;

/** A delivery on the queue this long past its due time without an attempt was lost: queue it again. */
const LOST_AFTER = "-15 minutes";

/** Seconds a wake-up waits on the queue: the writes of its window have all committed by then. */
const WAKE_DELAY_SECONDS = 2;
/** After a wake-up, this isolate's writes send none for this long: the pending one covers them. */
const WAKE_WINDOW_MS = 1000;
/** When this isolate last sent a wake-up (isolates serve many requests; this is per isolate). */
let lastWake = 0;

/**
 * After a request that changed something (its log line names a domain event), wakes the
 * dispatcher through the queue once the response is sent: the events the database wrote with
 * the change reach their receivers within seconds, and the request waits for nothing. On
 * registration day an isolate sends one wake-up a second, not one per write: each waits
 * WAKE_DELAY_SECONDS, so it finds the events of every write of its window committed.
 */
export const wakeDispatcher = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.get("requestLogFields")?.event === undefined) return;
  const now = Date.now();
  if (now - lastWake < WAKE_WINDOW_MS) return;
  lastWake = now;
  const wake = c.env.WEBHOOKS.send({ kind: "dispatch" } satisfies WebhookMessage, {
    delaySeconds: WAKE_DELAY_SECONDS,
  });
  // Not sent: the next write sends one (the every-minute cron catches up meanwhile).
  c.executionCtx.waitUntil(wake.catch(() => (lastWake = 0)));
});

// Raw SQL: drizzle's insert-select wants every column of the table, and these are two plain
// statements about rowids, which drizzle's builders do not name.
/** The deliveries of the next chunk (?1 events) after the mark. */
const FAN_OUT = `INSERT INTO webhook_deliveries (subscription_id, event_id)
  SELECT s.id, e.id FROM webhook_fan_out AS f
  JOIN webhook_events AS e ON e.rowid > f.after_rowid AND e.rowid <= f.after_rowid + ?1
  JOIN webhook_subscriptions AS s ON s.enabled = 1 AND s.created_at <= e.created_at
    AND EXISTS (SELECT 1 FROM json_each(s.events) WHERE value IN ('*', e.type))
  WHERE f.id = 1
  ORDER BY e.rowid, s.id`;
/** The mark, moved past that chunk (never back), and the newest event's rowid. */
const MOVE_MARK = `UPDATE webhook_fan_out
  SET after_rowid = max(after_rowid, min(after_rowid + ?1, (SELECT coalesce(max(rowid), 0) FROM webhook_events)))
  WHERE id = 1
  RETURNING after_rowid AS after, (SELECT coalesce(max(rowid), 0) FROM webhook_events) AS newest`;

/**
 * Makes the deliveries of the events committed since the last run, a chunk of events at a
 * time: one for each subscription that is enabled and wants the event's type, and that
 * already existed when the change was made. Each chunk is one batch (one transaction) with
 * the move of the mark past it, so no event is fanned out twice, however many dispatchers
 * run at once. The events were written by the change's own transaction (migrations/0008);
 * doing this here keeps it out of every write (migrations/0013).
 */
export async function fanOut(db: Database): Promise<void> {
  const d1 = db.$client;
  for (;;) {
    const [, [mark]] = await batchRows(db, [
      d1.prepare(FAN_OUT).bind(FAN_OUT_CHUNK) as Bound<never>,
      d1.prepare(MOVE_MARK).bind(FAN_OUT_CHUNK) as Bound<{ after: number; newest: number }>,
    ]);
    if (!mark || mark.after >= mark.newest) return;
  }
}

/**
 * Makes the deliveries of new events (fanOut), then hands pending deliveries to the queue, a
 * chunk at a time: each is claimed ('queued') in one statement, then sent. A delivery claimed
 * but never sent (the Worker stopped in between), or whose message was lost, is claimed
 * again once LOST_AFTER has passed since it was due: at least once, never never. Returns how
 * many it queued.
 */
export async function dispatchPending(db: Database, queue: Queue<WebhookMessage>): Promise<number> {
  await fanOut(db);
  let queued = 0;
  for (;;) {
    const due = db
      .select({ id: d.id })
      .from(d)
      .where(
        or(
          eq(d.state, "pending"),
          and(
            eq(d.state, "queued"),
            lt(sql`coalesce(${d.next_attempt_at}, ${d.queued_at})`, nowMoved(LOST_AFTER)),
          ),
        ),
      )
      .orderBy(d.id)
      .limit(DISPATCH_CHUNK);
    const claimed = await db
      .update(d)
      .set({
        state: "queued",
        queued_at: NOW,
        next_attempt_at: null,
      })
      .where(inArray(d.id, due))
      .returning({ id: d.id });
    if (claimed.length === 0) return queued;
    await queue.sendBatch(
      claimed.map(({ id }) => ({ body: { kind: "deliver", delivery_id: id } as WebhookMessage })),
    );
    queued += claimed.length;
    if (claimed.length < DISPATCH_CHUNK) return queued;
  }
}
