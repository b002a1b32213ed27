import * as z from "zod/mini";

// Control characters (\p{Cc}: U+0000 to U+001F and U+007F to U+009F), the Unicode line and
// paragraph separators, and the bidirectional overrides and isolates, which can make a name
// display as something else. Spelled as ranges, so that the OpenAPI document can carry the
// same class to any ECMA-262 regex engine, with or without the u flag.
const INVISIBLE = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const INVISIBLE_CONTROLS = new RegExp(`[${INVISIBLE}]`);

/**
 * What a pattern can say of free text (the OpenAPI document shows it): none of the characters
 * above, and not only whitespace. Trimming, NFC and the length after them it cannot say.
 */
export const TEXT_PATTERN = `^(?!\\s*$)[^${INVISIBLE}]*$`;

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
