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
 * Secure defaults on every response, errors included. `no-store` keeps every response, all
 * of them authenticated but /health and /openapi.json, out of browser and shared caches.
 */
export const securityHeaders = createMiddleware(async (c, next) => {
  await apiSecureHeaders(c, next);
  c.header("Cache-Control", "no-store");
});
