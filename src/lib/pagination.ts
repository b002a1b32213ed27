import * as z from "zod/mini";
import { decodeCursor, encodeCursor } from "./cursor";

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

const limitSchema = z.pipe(
  z.string().check(z.regex(/^(100|[1-9][0-9]?)$/, `must be a whole number from 1 to ${MAX_LIMIT}`)),
  z.transform(Number),
);

/** A cursor of a list sorted by id: it holds the last id of the previous page. */
const idCursorSchema = z.pipe(
  z.string(),
  z.transform((cursor, ctx) => {
    const [id, ...rest] = decodeCursor(cursor) ?? [];
    if (rest.length === 0 && Number.isSafeInteger(id) && (id as number) > 0) return id as number;
    ctx.issues.push({ code: "custom", message: "is not a valid cursor", input: cursor });
    return z.NEVER;
  }),
);

/** `?limit=&cursor=` of a list keyed by id. Unknown parameters are refused, so typos don't pass silently. */
export const idPageQuery = z.strictObject({
  limit: z._default(limitSchema, DEFAULT_LIMIT),
  cursor: z.optional(idCursorSchema),
});

/** The shape of a page of `item`s, as every list answers. */
export const pageSchema = <T extends z.ZodMiniType>(item: T) => z.strictObject({ data: z.array(item), next_cursor: z.nullable(z.string()) });

type Page<T> = { data: T[]; next_cursor: string | null };
type KeyOf<T> = (row: T) => (string | number)[];

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
export async function fetchPage<T>(limit: number, fetch: (count: number) => Promise<T[]>, keyOf: KeyOf<T>): Promise<Page<T>>;
export async function fetchPage<T>(limit: number, fetch: (count: number) => Promise<T[] | undefined>, keyOf: KeyOf<T>): Promise<Page<T> | undefined>;
export async function fetchPage<T>(limit: number, fetch: (count: number) => Promise<T[] | undefined>, keyOf: KeyOf<T>) {
  const rows = await fetch(limit + 1);
  return rows && toPage(rows, limit, keyOf);
}
