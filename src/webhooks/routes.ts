import { Hono } from "hono";
import type { AppEnv } from "../env";
import { requireJsonBody } from "../http/json-body";
import {
  deliveryNotFailed,
  deliveryNotFound,
  invalidRequest,
  webhookDisabled,
  webhookNotFound,
} from "../http/problems";
import { validate } from "../http/validate";
import { idParams } from "../lib/ids";
import { fetchPage, idPageQuery } from "../lib/pagination";
import { annotateRequestLog, recordEvent } from "../log";
import {
  deleteWebhook,
  findWebhook,
  insertWebhook,
  listDeliveries,
  listWebhooks,
  retryDelivery,
  rotateSecret,
  updateWebhook,
} from "./queries";
import { createWebhookBody, deliveryListQuery, deliveryParams, updateWebhookBody } from "./schemas";
import { encryptSecret, newSecret } from "./secrets";
import { webhookUrlProblem } from "./url";

/** A 400 unless `url` may receive webhooks in this deployment (src/webhooks/url.ts). */
function checkUrl(url: string | undefined, env: Env): void {
  if (url === undefined) return;
  const allowLocal = String(env.WEBHOOKS_ALLOW_LOCAL_HTTP) === "true";
  const problem = webhookUrlProblem(url, allowLocal);
  if (problem) throw invalidRequest("body", [{ path: "body.url", message: problem }]);
}

export const webhookRoutes = new Hono<AppEnv>()
  .post("/", requireJsonBody, validate("json", createWebhookBody), async (c) => {
    const input = c.req.valid("json");
    checkUrl(input.url, c.env);
    const secret = newSecret();
    const created = await insertWebhook(
      c.var.db,
      input,
      await encryptSecret(secret, c.env.WEBHOOK_SECRET_KEY),
    );
    annotateRequestLog(c, { webhook_id: created.id });
    return c.json({ ...created, secret }, 201, { Location: `/webhooks/${created.id}` });
  })
  .get("/", validate("query", idPageQuery), async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const page = await fetchPage(
      limit,
      (count) => listWebhooks(c.var.db, count, cursor),
      (w) => [w.id],
    );
    annotateRequestLog(c, { row_count: page.data.length });
    return c.json(page, 200);
  })
  .get("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const found = await findWebhook(c.var.db, id);
    if (!found) throw webhookNotFound(id);
    return c.json(found, 200);
  })
  .patch(
    "/:id",
    validate("param", idParams),
    requireJsonBody,
    validate("json", updateWebhookBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const changes = c.req.valid("json");
      checkUrl(changes.url, c.env);
      const updated = await updateWebhook(c.var.db, id, changes);
      if (!updated) throw webhookNotFound(id);
      annotateRequestLog(c, { webhook_id: id });
      return c.json(updated, 200);
    },
  )
  .delete("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteWebhook(c.var.db, id))) throw webhookNotFound(id);
    annotateRequestLog(c, { webhook_id: id });
    return c.body(null, 204);
  })
  .post("/:id/secret", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const secret = newSecret();
    const encrypted = await encryptSecret(secret, c.env.WEBHOOK_SECRET_KEY);
    const rotated = await rotateSecret(c.var.db, id, encrypted);
    if (!rotated) throw webhookNotFound(id);
    annotateRequestLog(c, { webhook_id: id });
    return c.json({ ...rotated, secret }, 200);
  })
  .get(
    "/:id/deliveries",
    validate("param", idParams),
    validate("query", deliveryListQuery),
    async (c) => {
      const { id } = c.req.valid("param");
      const { limit, cursor, status } = c.req.valid("query");
      const fetch = (count: number) =>
        listDeliveries(c.var.db, id, { count, before: cursor, status });
      const page = await fetchPage(limit, fetch, (delivery) => [delivery.id]);
      if (!page) throw webhookNotFound(id);
      annotateRequestLog(c, { row_count: page.data.length });
      return c.json(page, 200);
    },
  )
  .post("/:id/deliveries/:delivery_id/retry", validate("param", deliveryParams), async (c) => {
    const { id, delivery_id } = c.req.valid("param");
    const outcome = await retryDelivery(c.var.db, id, delivery_id);
    if (outcome === "not_found") throw deliveryNotFound(id, delivery_id);
    if (outcome === "not_failed") throw deliveryNotFailed(delivery_id);
    if (outcome === "disabled") throw webhookDisabled(id);
    // A domain event, so the dispatcher wakes for it (src/webhooks/dispatch.ts).
    recordEvent(c, "webhook.delivery_retried", { webhook_id: id, delivery_id });
    return c.body(null, 202);
  });
