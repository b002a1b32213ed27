import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { matchedRoute } from "../http/matched-route";
import { logInfo } from "../log";

// A client may send any method name; only these are written to the logs as they are.
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * One log object per request. It names the route pattern, never the URL: paths and query
 * strings can carry personal data.
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  logInfo("request", {
    request_id: c.get("requestId"),
    method: KNOWN_METHODS.has(c.req.method) ? c.req.method : "other",
    route: matchedRoute(c)?.path ?? null,
    status: c.res.status,
    duration_ms: Date.now() - started,
    ...c.get("requestLogFields"),
  });
});
