import { createMiddleware } from "hono/factory";
import { database } from "../db/client";
import type { AppEnv } from "../env";
import { matchedRoute } from "../http/matched-route";
import { invalidHeader } from "../http/problems";

/**
 * D1 bookmarks look like 0000007b-0000b26e-00001538-0c3e87bb37b3db5cc52eedb93cd3b96b. The
 * OpenAPI document shows this pattern.
 */
export const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;
const READS = new Set(["GET", "HEAD"]);

/**
 * Every request runs on a D1 session (the Sessions API), so reads may be served by the
 * nearest read replica. A client that sends back the `X-D1-Bookmark` of an earlier answer
 * reads at least what that answer saw, on any replica: its own writes included. Without
 * one, a write starts at the primary and a read anywhere. The answer carries the session's
 * latest bookmark. A malformed bookmark is refused: D1 would not say so itself.
 */
export const d1Session = createMiddleware<AppEnv>(async (c, next) => {
  // No route for this method and path: its 404 or 405 needs no session.
  if (!matchedRoute(c)) return next();
  const sent = c.req.header("X-D1-Bookmark");
  if (sent !== undefined && !BOOKMARK.test(sent)) {
    throw invalidHeader("X-D1-Bookmark", "must be a bookmark from an earlier X-D1-Bookmark header");
  }
  const session = c.env.DB.withSession(
    sent ?? (READS.has(c.req.method) ? "first-unconstrained" : "first-primary"),
  );
  c.set("db", database(session));
  await next();
  const bookmark = session.getBookmark();
  // On the finished response's own headers: c.header() would copy the whole Response.
  if (bookmark) c.res.headers.set("X-D1-Bookmark", bookmark);
});
