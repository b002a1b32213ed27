import { DrizzleQueryError } from "drizzle-orm/errors";

// D1's own errors that mean "the database is briefly unavailable", after Cloudflare's list
// of retryable D1 errors (connection lost, object reset or restarted, overloaded, timed out).
const TRANSIENT =
  /network connection lost|object to be reset|reset because its code was updated|overloaded|too many requests queued|exceeded timeout|temporarily unavailable/i;

/**
 * Whether a failed query is the platform's passing fault (worth retrying) rather than a bug.
 * SQLite's own errors (SQLITE_…: a bad query, a missing table) are bugs.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const cause = error instanceof DrizzleQueryError && error.cause ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return TRANSIENT.test(message) && !message.includes("SQLITE_");
}
