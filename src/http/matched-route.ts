import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

/**
 * The route (not middleware) that serves this request's method and path, if any. Without one
 * the request ends in the app's 404 or 405, which needs no token, session or route name.
 */
export const matchedRoute = (c: Context) =>
  matchedRoutes(c).find((route) => route.method !== "ALL");
