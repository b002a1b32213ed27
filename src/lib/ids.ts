import * as z from "zod/mini";
import { integerRangePattern } from "./integer-range";
import { lazy } from "./lazy";

/** The largest id: 2^53−1, the last integer JavaScript (and so JSON) holds exactly. */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

/**
 * A resource id in a path: a plain decimal integer from 1 to 2^53−1 (JavaScript's safe range).
 * No sign, exponent, fraction or leading zero, so each id has exactly one spelling. The
 * second check's exact pattern is what the OpenAPI document shows; the first only gives
 * what is no id at all its own message.
 */
export const idSchema = lazy(() =>
  z.pipe(
    z.string().check(
      z.refine((s) => /^[1-9][0-9]{0,15}$/.test(s), {
        message: "must be a positive integer id",
        abort: true,
      }),
      z.regex(new RegExp(`^(?:${integerRangePattern(MAX_ID)})$`), `must be at most ${MAX_ID}`),
    ),
    z.transform(Number),
  ),
);

export const idParams = lazy(() => z.object({ id: idSchema() }));

/** An id in a JSON body or response: an integer from 1 to 2^53−1, never a string ("1" is refused, not coerced). */
export const idValue = lazy(() => z.int().check(z.positive()));
