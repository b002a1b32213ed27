import { Hono } from "hono";
import { courseRoutes } from "./courses/routes";
import { enrollmentRoutes } from "./enrollments/routes";
import type { AppEnv } from "./env";
import { health } from "./health";
import { notFound, onError } from "./http/error-handlers";
import { importRoutes } from "./imports/routes";
import { authenticate, authorize } from "./middleware/auth";
import { corsForAllowedOrigins } from "./middleware/cors";
import { d1Session } from "./middleware/d1-session";
import { etag } from "./middleware/etag";
import { rateLimit } from "./middleware/rate-limit";
import { requestId } from "./middleware/request-id";
import { requestLog } from "./middleware/request-log";
import { securityHeaders } from "./middleware/security-headers";
import { scheduled } from "./scheduled";
import { studentRoutes } from "./students/routes";
import { consumeWebhooks } from "./webhooks/consumer";
import { wakeDispatcher } from "./webhooks/dispatch";
import type { WebhookMessage } from "./webhooks/messages";
import { webhookRoutes } from "./webhooks/routes";

// The order of the middleware is the story of a request.
export const app = new Hono<AppEnv>()
  .use(requestId)
  .use(requestLog)
  .use(securityHeaders)
  .use(corsForAllowedOrigins)
  // Registered before the token check and the rate limit: public, and cheap to serve.
  .get("/health", health)
  .use(authenticate)
  .use(rateLimit)
  .use(authorize)
  .use(d1Session)
  .use(etag)
  .use(wakeDispatcher)
  .route("/students", studentRoutes)
  .route("/courses", courseRoutes)
  .route("/webhooks", webhookRoutes)
  .route("/imports", importRoutes)
  .route("/", enrollmentRoutes);

app.onError(onError);
app.notFound(notFound(app));

export { ImportWorkflow } from "./imports/workflow";

/** The app's routes as a type: `hc<AppType>(baseUrl)` from hono/client is a typed client. */
export type AppType = typeof app;

/**
 * The Worker: requests go to the app, the Cron Triggers' runs to `scheduled`, and the webhooks
 * queue's batches to its consumer.
 */
export default {
  fetch: app.fetch,
  scheduled,
  queue: consumeWebhooks,
} satisfies ExportedHandler<Env, WebhookMessage>;
