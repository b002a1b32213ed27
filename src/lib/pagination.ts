import * as z from "zod/mini";
import { CURSOR_SYNTAX, decodeCursor, encodeCursor, MAX_CURSOR_LENGTH } from "./cursor";
import { integerRangePattern } from "./integer-range";
import { lazy } from "./lazy";

const DEFAULT_LIMIT = 20;

/**
 * `?limit=`: a whole number from 1 to `max`, written plainly. The pattern says it all, so the
 * OpenAPI document states the range exactly.
 */
export const limitSchema = (max: number) =>
  z.pipe(
    z
      .string()
      .check(
        z.regex(
          new RegExp(`^(?:${integerRangePattern(max)})$`),
          `must be a whole number from 1 to ${max}`,
        ),
      ),
    z.transform(Number),
  );

const INVALID_CURSOR = "is not a valid cursor";

/**
 * `?cursor=`: a cursor this server made, as the sort key inside it; `toKey` checks the key's
 * shape and answers undefined for anything else. The checks of the string are its syntax,
 * which the OpenAPI document shows; the transform decodes it.
 */
export const cursorSchema = <K>(toKey: (key: unknown[]) => K | undefined) =>
  z.pipe(
    z
      .string()
      .check(
        z.maxLength(MAX_CURSOR_LENGTH, { message: INVALID_CURSOR, abort: true }),
        z.regex(CURSOR_SYNTAX, { message: INVALID_CURSOR, abort: true }),
      ),
    z.transform((cursor, ctx) => {
      const key = toKey(decodeCursor(cursor) ?? []);
      if (key !== undefined) return key;
      ctx.issues.push({ code: "custom", message: INVALID_CURSOR, input: cursor });
      return z.NEVER;
    }),
  );

/** A cursor of a list sorted by id: it holds the last id of the previous page. */
const idCursorSchema = lazy(() =>
  cursorSchema(([id, ...rest]) =>
    rest.length === 0 && Number.isSafeInteger(id) && (id as number) > 0
      ? (id as number)
      : undefined,
  ),
);

/** `?limit=&cursor=` of a list keyed by id. Unknown parameters are refused, so typos don't pass silently. */
export const idPageQuery = lazy(() =>
  z.strictObject({
    limit: z._default(limitSchema(100), DEFAULT_LIMIT),
    cursor: z.optional(idCursorSchema()),
  }),
);

/** The shape of a page of `item`s, as every list answers. */
export const pageSchema = <T extends z.ZodMiniType>(item: T) =>
  z.strictObject({ data: z.array(item), next_cursor: z.nullable(z.string()) });

type Page<T> = { data: T[]; next_cursor: string | null };
type KeyOf<T> = (row: T) => readonly (string | number)[];

/**
 * Keyset pagination: the query fetched `limit + 1` rows after the cursor; the extra row only
 * says whether another page exists, so the last page has `next_cursor: null`.
 */
export function toPage<T>(rows: T[], limit: number, keyOf: KeyOf<T>): Page<T> {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, next_cursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}

/**
 * One page of a list: asks `fetch` for one row more than `limit` (see toPage). A fetch that
 * answers undefined (the list's student or course does not exist) is passed on as it is.
 */
export async function fetchPage<T>(
  limit: number,
  fetch: (count: number) => Promise<T[]>,
  keyOf: KeyOf<T>,
): Promise<Page<T>>;
export async function fetchPage<T>(
  limit: number,
  fetch: (count: number) => Promise<T[] | undefined>,
  keyOf: KeyOf<T>,
): Promise<Page<T> | undefined>;
export async function fetchPage<T>(
  limit: number,
  fetch: (count: number) => Promise<T[] | undefined>,
  keyOf: KeyOf<T>,
) {
  const rows = await fetch(limit + 1);
  return rows && toPage(rows, limit, keyOf);
}
