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
  const [writers, readers] = await Promise.all([
    tokensOf(env.API_TOKEN),
    tokensOf(env.API_READ_TOKEN),
  ]);
  const writer = findToken(token, writers);
  const reader = findToken(token, readers);
  if (writer) return { scope: "write", id: writer.id };
  return reader && { scope: "read", id: reader.id };
}

/** A configured token, and the id that limits, logs and idempotency keys know it by. */
type Configured = { token: string; id: string };

/**
 * The configured tokens with their ids, by the setting's value: the digests are computed once
 * per isolate, never for a presented token (about 6% of our Worker's samples in a CPU profile
 * of the write mix when they were).
 * Keyed by the value itself, so a rotated list is read anew.
 */
const configuredTokens = new Map<string, Configured[]>();

async function tokensOf(list: string | undefined): Promise<Configured[]> {
  const key = list ?? "";
  const known = configuredTokens.get(key);
  if (known) return known;
  // Stored resolved, never as a promise, so no request awaits work begun by another.
  const tokens = await Promise.all(
    commaList(list).map(async (token) => ({ token, id: toHex(await sha256(token)) })),
  );
  configuredTokens.set(key, tokens);
  return tokens;
}

/** The configured token presented, if any: every one is compared whole, so timing says nothing. */
function findToken(presented: string, tokens: Configured[]): Configured | undefined {
  let found: Configured | undefined;
  for (const configured of tokens) {
    if (sameText(presented, configured.token)) found = configured;
  }
  return found;
}

/**
 * Compares every character, with no early exit: the time depends on the configured token's
 * length alone, never on how much of it a guess got right.
 */
function sameText(presented: string, configured: string): boolean {
  let diff = presented.length ^ configured.length;
  for (let i = 0; i < configured.length; i++) {
    diff |= presented.charCodeAt(i) ^ configured.charCodeAt(i);
  }
  return diff === 0;
}
