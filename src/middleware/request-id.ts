import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

/**
 * Gives every request a fresh id, in `X-Request-Id`, problem bodies and logs. Unlike Hono's
 * request-id middleware it never adopts an id the client sends: that value would go into the
 * logs verbatim, and a client could put anything in it, a token or an email included.
 */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const id = crypto.randomUUID();
  c.set("requestId", id);
  c.header("X-Request-Id", id);
  await next();
});
