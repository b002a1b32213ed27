import { database } from "./db/client";
import { deleteExpiredKeys } from "./db/idempotency";
import type { Bindings } from "./env";
import { logInfo } from "./log";

/** The Cron Trigger's runs ([triggers] in wrangler.toml): deletes Idempotency-Keys older than 24 hours. */
export const scheduled: ExportedHandlerScheduledHandler<Bindings> = async (controller, env) => {
  const deleted = await deleteExpiredKeys(database(env.DB));
  logInfo("idempotency_keys.expired", { cron: controller.cron, deleted });
};
