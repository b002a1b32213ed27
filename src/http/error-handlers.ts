import type { Context, Hono } from "hono";
import type * as z from "zod/mini";
import { isTransientDatabaseError } from "../db/transient-errors";
import type { AppEnv } from "../env";
import { logError } from "../log";
import type { problemBody } from "./problem-body";
import {
  internalError,
  methodNotAllowed,
  notFoundAt,
  PROBLEMS,
  Problem,
  type ProblemCode,
  serviceUnavailable,
} from "./problems";

const RETRY_AFTER_SECONDS = 1;

/**
 * The one error handler: a Problem becomes its document; a passing database fault is a 503
 * the client may retry; anything else is a bug, logged, and a bare 500. Neither says more.
 */
export function onError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof Problem) return problemResponse(c, err);
  const fields = { request_id: c.get("requestId"), method: c.req.method };
  if (isTransientDatabaseError(err)) {
    logError("database unavailable", fields, err);
    return problemResponse(c, serviceUnavailable(RETRY_AFTER_SECONDS));
  }
  logError("unhandled error", fields, err);
  return problemResponse(c, internalError());
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** No route matched: 405 with `Allow` when the path exists under other methods, else 404. */
export const notFound = (app: Hono<AppEnv>) => (c: Context<AppEnv>) => {
  const allowed = METHODS.filter((method) =>
    app.router.match(method, c.req.path)[0].some(([[, route]]) => route.method === method),
  );
  if (allowed.length === 0) return problemResponse(c, notFoundAt(c.req.path));
  const allow = allowed.includes("GET") ? [...allowed, "HEAD"] : allowed;
  return problemResponse(c, methodNotAllowed(c.req.method, allow));
};

/** The problem type URI: a tag URI (RFC 4151), a stable name that is not meant to be fetched. */
const problemType = (code: ProblemCode) => `tag:enrollment-api,2026:problems/${code}`;

function problemResponse(c: Context<AppEnv>, problem: Problem): Response {
  const { code, detail, status, options } = problem;
  const body: z.output<typeof problemBody> = {
    type: problemType(code),
    title: PROBLEMS[code].title,
    status,
    detail,
    code,
    request_id: c.get("requestId"),
    ...(options.errors && { errors: options.errors }),
  };
  // c.body keeps the headers set earlier in the request (X-Request-Id among them).
  return c.body(JSON.stringify(body), status, {
    ...options.headers,
    "Content-Type": "application/problem+json",
  });
}
