import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { logInfo } from "../log";
import { matchedRoute } from "./route";

type LogFields = Record<string, number | string | boolean>;

declare module "hono" {
  interface ContextVariableMap {
    requestLogFields: LogFields;
  }
}

/** Adds fields (counts, ids) to the one log line the request emits when it completes. */
export function annotateRequestLog(c: Context, fields: LogFields): void {
  c.set("requestLogFields", { ...c.get("requestLogFields"), ...fields });
}

// A client may send any method name; only these are written to the logs as they are.
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * One log object per request. It names the route pattern, never the URL: paths and query
 * strings can carry personal data.
 */
export const requestLog = createMiddleware(async (c, next) => {
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
