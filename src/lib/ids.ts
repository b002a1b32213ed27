import * as z from "zod/mini";

/**
 * A resource id in a path: a plain decimal integer from 1 to 2^53−1 (JavaScript's safe range).
 * No sign, exponent, fraction or leading zero, so each id has exactly one spelling.
 */
export const idSchema = z.pipe(
  z.string().check(
    z.regex(/^[1-9][0-9]{0,15}$/, { message: "must be a positive integer id", abort: true }),
    z.refine((s) => Number(s) <= Number.MAX_SAFE_INTEGER, "must be at most 9007199254740991"),
  ),
  z.transform(Number),
);

export const idParams = z.object({ id: idSchema });

/** An id in a JSON body or response: an integer from 1 to 2^53−1, never a string ("1" is refused, not coerced). */
export const idValue = z.int().check(z.positive());
