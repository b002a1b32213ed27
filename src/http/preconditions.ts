import type { Context } from "hono";
import type { Versions } from "../db/versions";
import { Problem } from "./problem";

/** A student's or course's ETag: its version, which every update that changes a field moves on. */
export const versionTag = (version: number) => `"${version}"`;

const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7e]*"$/;
const VERSION_TAG = /^(?:W\/)?"([1-9][0-9]{0,15})"$/;

/**
 * The versions an `If-Match` header accepts: undefined without the header (the update then
 * applies whatever the version), "any" for `*`, else the versions its tags name (none, when
 * no tag is one of ours: then nothing matches). A weak tag counts as the strong one it came
 * from: Cloudflare weakens the tags of the responses it compresses.
 */
export function ifMatchVersions(c: Context): Versions {
  const header = c.req.header("If-Match");
  if (header === undefined) return undefined;
  if (header.trim() === "*") return "any";
  const tags = header.split(",").map((tag) => tag.trim());
  if (!tags.every((tag) => ENTITY_TAG.test(tag))) {
    throw new Problem("validation_failed", "The If-Match header is not valid.", {
      errors: [{ path: "header.If-Match", message: 'must be * or ETags from earlier answers, such as "3"' }],
    });
  }
  return tags.flatMap((tag) => VERSION_TAG.exec(tag)?.[1] ?? []).map(Number);
}
