import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { matchedRoute } from "../http/matched-route";
import { insufficientScope, unauthorized } from "../http/problems";
import { commaList } from "../lib/comma-list";
import { sha256, toHex } from "../lib/digest";

type Scope = "read" | "write";

/** Who is calling: the token's scope, and a stable id for it (a SHA-256 of the token, never the token). */
export type Principal = { scope: Scope; id: string };

const READ_METHODS = new Set(["GET", "HEAD"]);

/** Routes a read-only token may not even read: a webhook's URL can hold its receiver's token. */
const WRITE_ONLY_PATHS = /^\/webhooks(\/|$)/;

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Bearer tokens with two scopes. Hono's bearer-auth has no scopes and answers in plain text,
 * so this is ours: API_TOKEN may read and write, API_READ_TOKEN may only read. Each holds a
 * comma-separated list, so a new token can be added before the old one is removed. With no
 * token configured, nothing matches and every protected route refuses (fail closed).
 *
 * Two steps, so that the rate limit between them can tell a caller with a valid token from
 * one without: `authenticate` only identifies, `authorize` refuses.
 */
export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const token = c.req.header("Authorization")?.match(BEARER)?.[1];
  c.set("principal", token ? await principalOf(token, c.env) : undefined);
  await next();
});

export const authorize = createMiddleware<AppEnv>(async (c, next) => {
  // No route for this method and path: the 404 or 405 that follows reveals nothing to protect.
  const route = matchedRoute(c);
  if (!route) return next();

  const principal = c.get("principal");
  if (!principal) {
    // An empty header counts as none.
    const header = c.req.header("Authorization") || undefined;
    throw unauthorized(header, header !== undefined && BEARER.test(header));
  }
  if (principal.scope === "read") {
    if (WRITE_ONLY_PATHS.test(route.path)) throw insufficientScope("webhooks");
    if (!READ_METHODS.has(c.req.method)) throw insufficientScope("write");
  }
  await next();
});

async function principalOf(token: string, env: Env): Promise<Principal | undefined> {
  const presented = await sha256(token);
  // Compare against every configured token, with no early exit, so timing says nothing.
  const [isWriter, isReader] = await Promise.all([
    matchesAny(presented, env.API_TOKEN),
    matchesAny(presented, env.API_READ_TOKEN),
  ]);
  const scope = isWriter ? "write" : isReader ? "read" : undefined;
  return scope && { scope, id: toHex(presented) };
}

/**
 * The configured tokens' digests, by the setting's value: computed once per isolate rather
 * than on every request. Keyed by the value itself, so a rotated list is digested anew.
 */
const configuredDigests = new Map<string, ArrayBuffer[]>();

async function digestsOf(list: string | undefined): Promise<ArrayBuffer[]> {
  const key = list ?? "";
  const known = configuredDigests.get(key);
  if (known) return known;
  // Stored resolved, never as a promise, so no request awaits work begun by another.
  const digests = await Promise.all(commaList(list).map(sha256));
  configuredDigests.set(key, digests);
  return digests;
}

// Equal-length digests make timingSafeEqual applicable to tokens of any length.
async function matchesAny(presented: ArrayBuffer, list: string | undefined): Promise<boolean> {
  const digests = await digestsOf(list);
  return digests.map((digest) => crypto.subtle.timingSafeEqual(presented, digest)).includes(true);
}
