import type { Context, Hono } from "hono";
import type { AppEnv } from "../env";
import { logError } from "../log";
import { Problem, problemResponse } from "./problem";

/** The one error handler: a Problem becomes its document; anything else is a bug, logged, and a bare 500. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof Problem) return problemResponse(c, err);
  logError("unhandled error", { request_id: c.get("requestId"), method: c.req.method }, err);
  return problemResponse(c, new Problem("internal_error", "Something went wrong on our side. Quote the request id when you report it."));
}

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
    new Problem("method_not_allowed", `${c.req.method} is not allowed here; use ${allow.join(", ")}.`, {
      headers: { Allow: allow.join(", ") },
    }),
  );
};
