import { type Database, database } from "../db/client";
import { logError, logInfo } from "../log";
import {
  attempt,
  loadDeliveries,
  logAttempt,
  markDeadLettered,
  RETRY_SCHEDULE,
  recordAttempt,
} from "./deliver";
import { dispatchPending } from "./dispatch";
import type { WebhookMessage } from "./messages";

/** The dead-letter queue's name ends so; its messages outlived every retry of the queue itself. */
const DEAD_LETTERS = /-dlq$/;

/** Seconds before a message is tried again when its batch failed on our side (D1 unreachable). */
const BATCH_RETRY_DELAY = 30;

const scheduleOf = (env: Env) =>
  env.WEBHOOK_RETRY_SCHEDULE
    ? env.WEBHOOK_RETRY_SCHEDULE.split(",").map((seconds) => Number(seconds.trim()))
    : RETRY_SCHEDULE;

type DeliveryMessage = Message<Extract<WebhookMessage, { kind: "deliver" }>>;
const isDelivery = (message: Message<WebhookMessage>): message is DeliveryMessage =>
  message.body.kind === "deliver";

/**
 * The webhooks queue's consumer. A wake-up dispatches the pending deliveries (once per batch,
 * however many arrived); each delivery message is attempted, all the attempts of the batch
 * recorded in one D1 batch, and only then is each message acked or retried, explicitly: a
 * throw would retry the whole batch, and locally acked messages too.
 */
export async function consumeWebhooks(
  batch: MessageBatch<WebhookMessage>,
  env: Env,
): Promise<void> {
  if (DEAD_LETTERS.test(batch.queue)) return giveUp(batch, env);
  const db = database(env.DB);
  try {
    if (batch.messages.some((message) => message.body.kind === "dispatch")) {
      const queued = await dispatchPending(db, env.WEBHOOKS);
      logInfo("webhook.dispatch", { queued });
    }
    const results = await attemptAll(db, env, batch.messages.filter(isDelivery));
    const statements = results.flatMap(({ result }) => (result ? recordAttempt(db, result) : []));
    if (statements.length > 0) await db.batch(statements as [never, ...never[]]);
    const retried = new Set<Message<WebhookMessage>>();
    for (const { message, result } of results) {
      if (result?.outcome !== "retry") continue;
      message.retry({ delaySeconds: result.delay });
      retried.add(message);
    }
    // Everything else is done with: a wake-up, or a delivery made, given up or gone.
    for (const message of batch.messages) if (!retried.has(message)) message.ack();
  } catch (error) {
    logError(
      "webhook batch failed",
      { queue: batch.queue, messages: batch.messages.length },
      error,
    );
    batch.retryAll({ delaySeconds: BATCH_RETRY_DELAY });
  }
}

/** Attempts each delivery, all at once; one whose subscription was deleted has no result. */
async function attemptAll(db: Database, env: Env, messages: DeliveryMessage[]) {
  const rows = messages.length
    ? await loadDeliveries(
        db,
        messages.map((message) => message.body.delivery_id),
      )
    : new Map();
  const schedule = scheduleOf(env);
  return Promise.all(
    messages.map(async (message) => {
      const row = rows.get(message.body.delivery_id);
      if (!row) return { message, result: undefined };
      const result = await attempt(row, message.attempts, env.WEBHOOK_SECRET_KEY, schedule);
      logAttempt(result, message.attempts);
      return { message, result };
    }),
  );
}

/** Deliveries whose messages outlived the queue's own retries are recorded as failed. */
async function giveUp(batch: MessageBatch<WebhookMessage>, env: Env): Promise<void> {
  const ids = batch.messages.flatMap((m) =>
    m.body.kind === "deliver" ? [m.body.delivery_id] : [],
  );
  try {
    if (ids.length > 0) await markDeadLettered(database(env.DB), ids);
    logInfo("webhook.dead_letters", { deliveries: ids.length });
    batch.ackAll();
  } catch (error) {
    logError("webhook dead letters failed", { messages: batch.messages.length }, error);
    batch.retryAll({ delaySeconds: BATCH_RETRY_DELAY });
  }
}
