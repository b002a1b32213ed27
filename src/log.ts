import { DrizzleQueryError } from "drizzle-orm/errors";
import type { Context } from "hono";
import type { AppEnv } from "./env";

/**
 * Structured logs: one plain object per call, which Workers Logs indexes field by field.
 * Callers pass ids, codes and numbers only, never names, emails, tokens, headers, bodies or IPs.
 */
type Fields = Record<string, string | number | boolean | null | undefined>;

export function logInfo(message: string, fields: Fields): void {
  console.log({ level: "info", message, ...fields });
}

export function logError(message: string, fields: Fields, error: unknown): void {
  console.error({ level: "error", message, ...fields, error: describeError(error) });
}

/**
 * drizzle wraps a failed query in an error whose message and stack carry the bound
 * parameters (an email, say), so only its cause, the database's own error, is logged.
 */
function describeError(error: unknown): Fields {
  if (error instanceof DrizzleQueryError) {
    return error.cause
      ? describeError(error.cause)
      : { name: "DrizzleQueryError", message: "query failed" };
  }
  return error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: "non-error thrown", message: typeof error };
}

export type RequestLogFields = Record<string, number | string | boolean>;

/** Adds fields (counts, ids) to the one log line the request emits when it completes. */
export function annotateRequestLog(c: Context<AppEnv>, fields: RequestLogFields): void {
  c.set("requestLogFields", { ...c.get("requestLogFields"), ...fields });
}

/**
 * The domain event a write made (`student.created`, `enrollment.dropped`, …), with its ids,
 * recorded on the request's one log line (a canonical log line: Workers Logs bills and
 * indexes per line, and one line keeps the event with its status and duration).
 */
export function recordEvent(c: Context<AppEnv>, event: string, fields: RequestLogFields): void {
  annotateRequestLog(c, { event, ...fields });
}

/**
 * A second domain event the same request caused, on the same line: a drop or a raised
 * capacity that gave seats to the head of a line is `enrollment.promoted`, with who got them.
 */
export function recordSideEvent(c: Context<AppEnv>, event: string, fields: RequestLogFields): void {
  annotateRequestLog(c, { side_event: event, ...fields });
}
