import type { Context } from "hono";
import type { Creation, Idempotency } from "../db/idempotency";
import type { AppEnv } from "../env";
import { sha256, toHex } from "../lib/digest";
import { Problem } from "./problem";
import { annotateRequestLog } from "./request-log";

// Printable ASCII, as the header's value arrives (the runtime trims surrounding spaces). A
// quoted key (the IETF draft's form) is a key like any other, quotes included.
const KEY = /^[\x20-\x7e]{1,255}$/;

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
  if (!KEY.test(key)) {
    throw new Problem("validation_failed", "The Idempotency-Key header is not valid.", {
      errors: [
        {
          path: "header.Idempotency-Key",
          message: "must be 1 to 255 printable ASCII characters, such as a UUID",
        },
      ],
    });
  }
  const fingerprint = toHex(await sha256(JSON.stringify([c.req.method, c.req.path, body])));
  return { scope: principal.id, key, fingerprint };
}

/**
 * The record a create answers with, or the `taken` problem (409). A retry gets the answer the
 * first request with its key got, marked `Idempotent-Replayed: true`. A key used before for a
 * different request is a 422, and creates nothing.
 */
export function createdRecord<T>(
  c: Context,
  creation: Creation<T>,
  taken: () => Problem,
): { row: T; replayed: boolean } {
  if (creation.outcome === "key_reused") {
    throw new Problem(
      "idempotency_key_reused",
      "This Idempotency-Key was used in the last 24 hours for a different request. Nothing was created; use a new key for a new request.",
    );
  }
  if (creation.replayed) {
    c.header("Idempotent-Replayed", "true");
    annotateRequestLog(c, { replayed: true });
  }
  if (creation.outcome === "taken") throw taken();
  return { row: creation.row, replayed: creation.replayed };
}
