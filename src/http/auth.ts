import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../env";
import { commaList } from "../lib/list";
import { Problem } from "./problem";

type Scope = "read" | "write";

const READ_METHODS = new Set(["GET", "HEAD"]);

const WWW_AUTHENTICATE = 'Bearer realm="enrollment-api"';

/**
 * Bearer tokens with two scopes. Hono's bearer-auth has no scopes and answers in plain text,
 * so this is ours: API_TOKEN may read and write, API_READ_TOKEN may only read. Each holds a
 * comma-separated list, so a new token can be added before the old one is removed. With no
 * token configured, nothing matches and every protected route refuses (fail closed).
 */
export const requireToken = createMiddleware<AppEnv>(async (c, next) => {
  // No route for this method and path: the 404 or 405 that follows reveals nothing to protect.
  if (!matchedRoutes(c).some((route) => route.method !== "ALL")) return next();

  const header = c.req.header("Authorization");
  if (!header) {
    throw new Problem("unauthorized", "Send a token in an `Authorization: Bearer <token>` header.", {
      headers: { "WWW-Authenticate": WWW_AUTHENTICATE },
    });
  }
  const token = header.match(/^Bearer +(\S+) *$/i)?.[1];
  const scope = token && (await scopeOf(token, c.env));
  if (!scope) {
    const detail = token ? "The bearer token is not valid." : "The Authorization header must be `Bearer <token>`.";
    throw new Problem("unauthorized", detail, {
      headers: { "WWW-Authenticate": `${WWW_AUTHENTICATE}, error="invalid_token"` },
    });
  }
  if (scope === "read" && !READ_METHODS.has(c.req.method)) {
    throw new Problem("insufficient_scope", "This token may only read; writing needs a read-write token.", {
      headers: { "WWW-Authenticate": `${WWW_AUTHENTICATE}, error="insufficient_scope"` },
    });
  }
  await next();
});

async function scopeOf(token: string, env: AppEnv["Bindings"]): Promise<Scope | undefined> {
  // Compare against every configured token, with no early exit, so timing says nothing.
  const [isWriter, isReader] = await Promise.all([matchesAny(token, env.API_TOKEN), matchesAny(token, env.API_READ_TOKEN)]);
  if (isWriter) return "write";
  if (isReader) return "read";
  return undefined;
}

async function matchesAny(token: string, list: string | undefined): Promise<boolean> {
  const candidates = commaList(list);
  const presented = await sha256(token);
  const results = await Promise.all(
    candidates.map(async (candidate) => crypto.subtle.timingSafeEqual(presented, await sha256(candidate))),
  );
  return results.includes(true);
}

// Equal-length digests make timingSafeEqual applicable to tokens of any length.
const sha256 = (value: string) => crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
