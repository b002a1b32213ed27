import type { Context } from "hono";
import type { Creation, Idempotency } from "../db/idempotency";
import type { AppEnv } from "../env";
import { sha256, toHex } from "../lib/digest";
import { annotateRequestLog } from "../log";
import { idempotencyKeyReused, invalidHeader, type Problem } from "./problems";

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * A key: 1 to 255 printable ASCII characters, spaces inside it but not around it, as the
 * header's value arrives (the runtime trims surrounding spaces and tabs). A quoted key (the
 * IETF draft's form) is a key like any other, quotes included. The OpenAPI document shows
 * this pattern.
 */
export const IDEMPOTENCY_KEY = new RegExp(
  `^[\\x21-\\x7e](?:[\\x20-\\x7e]{0,${MAX_IDEMPOTENCY_KEY_LENGTH - 2}}[\\x21-\\x7e])?$`,
);

/**
 * The request's Idempotency-Key, scoped to the caller's token, with a fingerprint of what it
 * asks: its method and path, and its body as validated (so spacing, key order or an email's
 * case do not make a retry a different request). Undefined without the header; a malformed
 * key is a 400. Only for routes behind `authorize`, which has identified the caller.
 */
export async function idempotencyOf(
  c: Context<AppEnv>,
  body: unknown,
): Promise<Idempotency | undefined> {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined) return undefined;
  const principal = c.get("principal");
  if (!principal) throw new Error("idempotencyOf needs an authorized caller");
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw invalidHeader(
      "Idempotency-Key",
      "must be 1 to 255 printable ASCII characters, such as a UUID",
    );
  }
  const fingerprint = toHex(await sha256(JSON.stringify([c.req.method, c.req.path, body])));
  return { scope: principal.id, key, fingerprint };
}

/**
 * Settles how a create went: answers the record to send, or throws the problem `taken` gives
 * for the column whose value was taken (409).
 * A retry gets the answer the first request with its key got, marked `Idempotent-Replayed:
 * true` (header and log). A key used before for a different request throws a 422, and created
 * nothing.
 */
export function resolveCreation<T>(
  c: Context<AppEnv>,
  creation: Creation<T>,
  taken: (column: string) => Problem,
): { row: T; replayed: boolean } {
  if (creation.outcome === "key_reused") throw idempotencyKeyReused();
  if (creation.replayed) {
    c.header("Idempotent-Replayed", "true");
    annotateRequestLog(c, { replayed: true });
  }
  if (creation.outcome === "taken") throw taken(creation.column);
  return { row: creation.row, replayed: creation.replayed };
}
