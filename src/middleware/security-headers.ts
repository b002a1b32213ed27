import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";

// Hono's defaults are made for HTML pages; an API that returns only JSON needs fewer.
const apiSecureHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  xFrameOptions: "DENY",
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});

/**
 * Secure defaults on every response, errors included. Caching: a successful GET (200, or
 * 304 to a conditional one) may be kept by the client's own cache but must be revalidated
 * with its ETag (`private, no-cache`), and never by a shared cache; anything else, errors
 * and writes, is `no-store`.
 */
export const securityHeaders = createMiddleware(async (c, next) => {
  await apiSecureHeaders(c, next);
  const revalidatable =
    (c.req.method === "GET" || c.req.method === "HEAD") &&
    (c.res.status === 200 || c.res.status === 304);
  // On the finished response's own headers: c.header() would copy the whole Response.
  c.res.headers.set("Cache-Control", revalidatable ? "private, no-cache" : "no-store");
  if (revalidatable) c.res.headers.append("Vary", "Authorization");
});
