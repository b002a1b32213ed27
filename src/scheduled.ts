import { lte, sql } from "drizzle-orm";
import { type Database, database } from "./db/client";
import { keptSince } from "./db/idempotency";
import { idempotencyKeys } from "./db/schema";
import { logError, logInfo } from "./log";

// Every Cron Trigger job ([triggers] in wrangler.toml), one function each. Like a request,
// each statement is one D1 round trip, and a job is safe to run again after a failure.

/** Hourly: the Idempotency-Keys older than 24 hours, deleted (`deleteExpiredKeys`). */
export const scheduled: ExportedHandlerScheduledHandler<Env> = async (controller, env) => {
  try {
    const deleted = await deleteExpiredKeys(database(env.DB));
    logInfo("idempotency_keys.expired", { cron: controller.cron, deleted });
  } catch (error) {
    // Thrown on, so the run shows as failed; the next hour's run deletes what this one left.
    logError("scheduled run failed", { cron: controller.cron }, error);
    throw error;
  }
};

const CLEAN_UP_CHUNK = 1000;

/**
 * Deletes the keys older than 24 hours, a chunk at a time, so that no statement runs long
 * however many expired at once. Returns how many it deleted.
 */
export async function deleteExpiredKeys(db: Database): Promise<number> {
  const since = keptSince();
  let deleted = 0;
  for (;;) {
    const expired = db
      .select({ rowid: sql`rowid` })
      .from(idempotencyKeys)
      .where(lte(idempotencyKeys.created_at, since))
      .limit(CLEAN_UP_CHUNK);
    const { meta } = await db.delete(idempotencyKeys).where(sql`rowid in ${expired}`).run();
    deleted += meta.changes;
    if (meta.changes < CLEAN_UP_CHUNK) return deleted;
  }
}
