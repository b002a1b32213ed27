import type { Context, Hono } from "hono";
import { isTransientDatabaseError } from "../db/errors";
import type { AppEnv } from "../env";
import { logError } from "../log";
import { Problem, problemResponse } from "./problem";

/**
 * The one error handler: a Problem becomes its document; a passing database fault is a 503
 * the client may retry; anything else is a bug, logged, and a bare 500. Neither says more.
 */
export function onError(err: Error, c: Context): Response {
  if (err instanceof Problem) return problemResponse(c, err);
  const fields = { request_id: c.get("requestId"), method: c.req.method };
  if (isTransientDatabaseError(err)) {
    logError("database unavailable", fields, err);
    return problemResponse(
      c,
      new Problem(
        "service_unavailable",
        "The database is briefly unavailable. Retry after the time in Retry-After.",
        {
          headers: { "Retry-After": String(RETRY_AFTER_SECONDS) },
        },
      ),
    );
  }
  logError("unhandled error", fields, err);
  return problemResponse(
    c,
    new Problem(
      "internal_error",
      "Something went wrong on our side. Quote the request id when you report it.",
    ),
  );
}

const RETRY_AFTER_SECONDS = 1;

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** No route matched: 405 with `Allow` when the path exists under other methods, else 404. */
export const notFound = (app: Hono<AppEnv>) => (c: Context) => {
  const allowed = METHODS.filter((method) =>
    app.router.match(method, c.req.path)[0].some(([[, route]]) => route.method === method),
  );
  if (allowed.length === 0) {
    return problemResponse(c, new Problem("not_found", `No resource lives at ${c.req.path}.`));
  }
  const allow = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
  return problemResponse(
    c,
    new Problem(
      "method_not_allowed",
      `${c.req.method} is not allowed here; use ${allow.join(", ")}.`,
      {
        headers: { Allow: allow.join(", ") },
      },
    ),
  );
};
