import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { rateLimited } from "../http/problems";
import { clientKey } from "../lib/address";

/**
 * Sheds a flood politely with the Workers Rate Limiting binding: a caller with a valid token
 * is counted by its token (by a hash of it), anyone else by client address (an IPv6 one by
 * its /64), so guessing tokens from one place is limited too. The limit and period are configuration: RATE_LIMIT and
 * RATE_LIMIT_PERIOD in wrangler.toml repeat the binding's `simple` settings for the headers.
 */
export const rateLimit = createMiddleware<AppEnv>(async (c, next) => {
  const principal = c.get("principal");
  const key = principal
    ? `token:${principal.id}`
    : `ip:${clientKey(c.req.header("CF-Connecting-IP") ?? "unknown")}`;
  const { success } = await c.env.RATE_LIMITER.limit({ key });
  if (!success) {
    const { RATE_LIMIT: limit, RATE_LIMIT_PERIOD: period } = c.env;
    // The binding counts in fixed windows aligned to the clock; this one ends in `reset` seconds.
    const reset = period - (Math.floor(Date.now() / 1000) % period);
    throw rateLimited(limit, period, reset);
  }
  await next();
});
