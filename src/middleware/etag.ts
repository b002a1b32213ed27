import { RETAINED_304_HEADERS } from "hono/etag";
import { createMiddleware } from "hono/factory";
import { toHex } from "../lib/digest";

const READS = new Set(["GET", "HEAD"]);
const RETAINED = new Set([...RETAINED_304_HEADERS, "x-request-id"]);

/** Whether If-None-Match names the tag, by weak comparison (RFC 9110): W/ aside, as hono/etag. */
const matches = (ifNoneMatch: string, tag: string) =>
  ifNoneMatch === "*" ||
  (ifNoneMatch.match(/"[^"]*"/g)?.includes(tag.replace(/^W\//, "")) ?? false);

/**
 * Strong ETags on successful reads: the answer's own (a student's or course's version), else
 * a SHA-1 of its body. If-None-Match with a current tag gets a 304 with no body, keeping only
 * the headers a 304 keeps and the request id. hono/etag does the same, but hashes a copy of
 * the body read as a stream, chunk by chunk: a tenth of a read's CPU here. Our answers are
 * small JSON documents, read once whole.
 */
export const etag = createMiddleware(async (c, next) => {
  const ifNoneMatch = c.req.header("If-None-Match");
  await next();
  if (!READS.has(c.req.method) || !c.res.ok) return;
  const answer = c.res;
  let tag = answer.headers.get("ETag");
  if (tag === null) {
    const body = await answer.arrayBuffer();
    tag = `"${toHex(await crypto.subtle.digest("SHA-1", body))}"`;
    // Unset first, so that Hono does not copy the old answer's headers onto the new one.
    c.res = undefined;
    c.res = new Response(body, answer);
    c.res.headers.set("ETag", tag);
  }
  if (ifNoneMatch === undefined || !matches(ifNoneMatch, tag)) return;
  const tagged = c.res;
  await tagged.body?.cancel();
  const kept = [...tagged.headers].filter(([name]) => RETAINED.has(name));
  c.res = undefined;
  c.res = new Response(null, { status: 304, headers: kept });
});
