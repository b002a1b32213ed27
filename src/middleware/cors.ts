import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { commaList } from "../lib/comma-list";

/**
 * CORS for the browser origins listed in ALLOWED_ORIGINS (comma-separated; empty, the
 * default, turns CORS off). An allowed origin's preflight is answered here, before any token
 * check, since browsers send it without one; any other origin gets no CORS headers at all.
 */
export const corsForAllowedOrigins = createMiddleware<AppEnv>(async (c, next) => {
  const allowed = commaList(c.env.ALLOWED_ORIGINS);
  const origin = c.req.header("Origin");
  if (!origin || !allowed.includes(origin)) {
    // The answer depends on the Origin once any is allowed (Hono's cors says so itself below).
    if (allowed.length > 0) c.header("Vary", "Origin", { append: true });
    return next();
  }
  return cors({
    origin,
    allowMethods: ["GET", "HEAD", "POST", "PATCH", "DELETE"],
    allowHeaders: [
      "Authorization",
      "Content-Type",
      "If-None-Match",
      "If-Match",
      "Idempotency-Key",
      "X-D1-Bookmark",
    ],
    exposeHeaders: [
      "Location",
      "X-Request-Id",
      "X-D1-Bookmark",
      "ETag",
      "Idempotent-Replayed",
      "Retry-After",
      "RateLimit-Limit",
      "RateLimit-Remaining",
      "RateLimit-Reset",
      "RateLimit-Policy",
    ],
    maxAge: 600,
  })(c, next);
});
