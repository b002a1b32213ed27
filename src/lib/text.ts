import * as z from "zod/mini";

/**
 * Free text a person typed (a name, a title): trimmed and NFC-normalised, so that one
 * visible string is stored one way; refused when it holds control characters or broken
 * Unicode (a lone surrogate would be stored as U+FFFD).
 */
export const textSchema = (maxLength: number) =>
  z.string().check(
    z.trim(),
    z.normalize("NFC"),
    z.refine((s) => s.isWellFormed(), "must be valid Unicode"),
    z.refine((s) => !/\p{Cc}/u.test(s), "must not contain control characters"),
    z.minLength(1, "must not be empty"),
    z.maxLength(maxLength),
  );
