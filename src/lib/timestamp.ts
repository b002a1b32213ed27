import * as z from "zod/mini";
import { lazy } from "./lazy";

// RFC 3339: 2026-11-24T10:00:00Z, with an optional fraction and a Z or a ±hh:mm offset.
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;
const MESSAGE = "must be an RFC 3339 date-time such as 2026-11-24T10:00:00Z (send a + as %2B)";

/**
 * A time as the database stores it (2026-11-24T10:00:00.000Z: UTC, milliseconds, the form
 * that sorts as text), or undefined for anything that is not a real RFC 3339 date-time. The
 * JavaScript Date parser alone would turn 2026-02-30 into 2 March; the fields are checked
 * first. Digits past the millisecond are dropped.
 */
export function toStoredTime(value: string): string | undefined {
  const fields = RFC3339.exec(value)
    ?.slice(1)
    .map((field) => Number(field ?? 0));
  if (!fields) return undefined;
  const [
    year = 0,
    month = 0,
    day = 0,
    hour = 0,
    minute = 0,
    second = 0,
    offsetHour = 0,
    offsetMinute = 0,
  ] = fields;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (
    day < 1 ||
    day > daysInMonth ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHour > 23 ||
    offsetMinute > 59
  )
    return undefined;
  const stored = new Date(value).toISOString();
  // An offset can move a time at either end of year 0000..9999 out of the four-digit form.
  return /^\d{4}-/.test(stored) ? stored : undefined;
}

// The same syntax with only real dates and times: each month's days, 29 February in leap
// years alone (divisible by 4, and by 400 at a century), hours to 23, minutes, seconds and
// offsets in range. The OpenAPI document shows this pattern; of what it matches, the
// transform refuses only a time an offset moves out of years 0000 to 9999 in UTC.
const LEAP_YEAR =
  "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[048]|[2468][048]|[13579][26])00)";
const DAY_OF_MONTH =
  "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))";
const HOUR = "(?:[01][0-9]|2[0-3])";
export const RFC3339_DATE_TIME = new RegExp(
  `^(?:[0-9]{4}-${DAY_OF_MONTH}|${LEAP_YEAR}-02-29)` +
    `T${HOUR}:[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-]${HOUR}:[0-5][0-9])$`,
);

/** A date-time in a query string, as the database stores it. */
export const timestampQuery = lazy(() =>
  z.pipe(
    z.string().check(z.regex(RFC3339_DATE_TIME, { message: MESSAGE, abort: true })),
    z.transform((value, ctx) => {
      const stored = toStoredTime(value);
      if (stored !== undefined) return stored;
      ctx.issues.push({ code: "custom", message: MESSAGE, input: value });
      return z.NEVER;
    }),
  ),
);
