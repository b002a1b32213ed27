import type { Context } from "hono";
import type { Versions } from "../db/versions";
import { invalidHeader } from "./problems";

/**
 * The revision of the JSON shape of students and courses. Their ETags carry it next to the
 * version, so a copy a client holds in an older shape never revalidates (304) or passes
 * If-Match after the shape changes. test/unit/preconditions.test.ts fails when a shape changes
 * and this does not.
 */
export const SHAPE_REVISION = 3;

/**
 * A student or course as the client sees it (`body`), and its ETag header: `"r<shape
 * revision>.<version>"`, where the version moves on with every update that changes a field,
 * followed by `.<n>` for each count in `counts` (a course's seats taken and line), which move
 * without an update: the tag changes with every change the body shows, while If-Match reads
 * only the version, so a count that moved refuses no update.
 */
export function representation<T extends { version: number }>(
  { version, ...body }: T,
  counts: number[] = [],
) {
  const tag = [version, ...counts].join(".");
  return { body, headers: { ETag: `"r${SHAPE_REVISION}.${tag}"` } };
}

// The characters of an opaque-tag (RFC 9110's etagc): visible ASCII but the quote, and obs-text.
const ETAGC = "\\x21\\x23-\\x7e\\x80-\\xff";
const ETAG_CHARS = new RegExp(`^[${ETAGC}]*$`);
const VERSION_TAG = new RegExp(
  `^(?:W/)?"r${SHAPE_REVISION}\\.([1-9][0-9]{0,15})(?:\\.[0-9]{1,16})*"$`,
);
const MAX_TAGS = 100;
const ENTITY_TAG = `(?:W/)?"[${ETAGC}]*"`;

/**
 * The values If-Match accepts, as one pattern, for the OpenAPI document: `*`, or a list of 1 to
 * MAX_TAGS entity-tags as entityTags reads it (empty elements, and spaces and tabs around the
 * commas), or nothing at all (the runtime drops an empty header: no If-Match). Like any header
 * value, none begins or ends with a space or tab. The app reads the header with entityTags,
 * in linear time; test/routes/parameter-agreement.test.ts holds the two to the same values.
 */
export const IF_MATCH_PATTERN = `^(?:\\*|(?:,[ \\t,]*)?${ENTITY_TAG}(?:[ \\t]*,[ \\t,]*${ENTITY_TAG}){0,${MAX_TAGS - 1}}(?:[ \\t]*,(?:[ \\t,]*,)?)?)?$`;

/**
 * The entity-tags of a list header (RFC 9110: a comma may sit inside the quotes, and empty
 * elements are allowed), or undefined when it is not one. Read in one pass, so a long
 * hostile header costs linear time.
 */
export function entityTags(header: string): string[] | undefined {
  const tags: string[] = [];
  let i = 0;
  const skip = (chars: string) => {
    while (i < header.length && chars.includes(header[i] as string)) i++;
  };
  for (skip(" \t,"); i < header.length; skip(" \t,")) {
    const start = i;
    if (header.startsWith("W/", i)) i += 2;
    if (header[i] !== '"') return undefined;
    const close = header.indexOf('"', i + 1);
    if (close === -1 || !ETAG_CHARS.test(header.slice(i + 1, close))) return undefined;
    tags.push(header.slice(start, close + 1));
    i = close + 1;
    skip(" \t");
    if (i < header.length && header[i] !== ",") return undefined;
  }
  return tags;
}

/**
 * The versions an `If-Match` header accepts: undefined without the header (the request then
 * applies whatever the version), "any" for `*`, else the versions its tags name (none, when
 * no tag is one of ours, or is of an older shape: then nothing matches). A weak tag counts as
 * the strong one it came from: Cloudflare weakens the tags of the responses it compresses.
 */
export function ifMatchVersions(c: Context): Versions {
  const header = c.req.header("If-Match");
  if (header === undefined) return undefined;
  // As the header arrives: the runtime has trimmed the spaces and tabs around it.
  if (header === "*") return "any";
  const tags = entityTags(header) ?? [];
  if (tags.length === 0 || tags.length > MAX_TAGS) {
    throw invalidHeader(
      "If-Match",
      `must be * or 1 to ${MAX_TAGS} ETags from earlier answers, such as "r${SHAPE_REVISION}.3"`,
    );
  }
  return tags.flatMap((tag) => VERSION_TAG.exec(tag)?.[1] ?? []).map(Number);
}
