import * as z from "zod/mini";

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

/** A date-time in a query string, as the database stores it. */
export const timestampQuery = z.pipe(
  // The pattern alone is what the OpenAPI document shows; the transform checks the rest.
  z.string().check(z.regex(RFC3339, { message: MESSAGE, abort: true })),
  z.transform((value, ctx) => {
    const stored = toStoredTime(value);
    if (stored !== undefined) return stored;
    ctx.issues.push({ code: "custom", message: MESSAGE, input: value });
    return z.NEVER;
  }),
);
