import * as z from "zod/mini";

// Control characters, the Unicode line separators, and the bidirectional overrides and
// isolates, which can make a name display as something else.
const INVISIBLE_CONTROLS = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/**
 * Free text a person typed (a name, a title): refused when it holds control characters or
 * broken Unicode (a lone surrogate would be stored as U+FFFD), checked before trimming so a
 * tab or line break is refused rather than quietly cut; then trimmed and NFC-normalised, so
 * that one visible string is stored one way.
 */
export const textSchema = (maxLength: number) =>
  z.string().check(
    z.refine((s) => s.isWellFormed(), "must be valid Unicode"),
    z.refine((s) => !INVISIBLE_CONTROLS.test(s), "must not contain control characters"),
    z.trim(),
    z.normalize("NFC"),
    z.minLength(1, "must not be empty"),
    z.maxLength(maxLength),
  );

/**
 * The pattern of a value that is trimmed before `pattern` checks it, and is at most
 * `maxLength` characters once trimmed: `pattern` with any whitespace around it. JavaScript's
 * `\s` (the regex dialect of JSON Schema) is exactly what String.prototype.trim removes.
 * `pattern` must be anchored at both ends, and match no whitespace.
 */
export function trimmedPattern(pattern: RegExp, maxLength?: number): RegExp {
  const { source } = pattern;
  if (!source.startsWith("^") || !source.endsWith("$") || source.endsWith("\\$"))
    throw new Error(`not anchored at both ends: ${source}`);
  const length = maxLength === undefined ? "" : `(?=\\S{1,${maxLength}}\\s*$)`;
  return new RegExp(`^\\s*${length}(?:${source.slice(1, -1)})\\s*$`);
}
