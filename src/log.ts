import { DrizzleQueryError } from "drizzle-orm/errors";

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
 * drizzle wraps a failed query in an error whose message carries the bound parameters
 * (which may be an email), so the wrapped cause is logged in its place.
 */
function describeError(error: unknown) {
  const err = error instanceof DrizzleQueryError && error.cause ? error.cause : error;
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { name: "NonError", message: String(err) };
}

/** A domain event (`student.created`, …), tied to its request by id. */
export function logEvent(requestId: string, event: string, fields: Fields): void {
  logInfo(event, { request_id: requestId, ...fields });
}
