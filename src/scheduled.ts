import { database } from "./db/client";
import { deleteExpiredKeys } from "./db/idempotency";
import type { Bindings } from "./env";
import { logError, logInfo } from "./log";

/** The Cron Trigger's runs ([triggers] in wrangler.toml): deletes Idempotency-Keys older than 24 hours. */
export const scheduled: ExportedHandlerScheduledHandler<Bindings> = async (controller, env) => {
  try {
    const deleted = await deleteExpiredKeys(database(env.DB));
    logInfo("idempotency_keys.expired", { cron: controller.cron, deleted });
  } catch (error) {
    // Thrown on, so the run shows as failed; the next hour's run deletes what this one left.
    logError("scheduled run failed", { cron: controller.cron }, error);
    throw error;
  }
};
