import { type SQL, sql } from "drizzle-orm";
import type * as z from "zod/mini";
import type { ColumnIndex } from "./columns";
import type { ImportError } from "./responses";

/** A record of the file, past its header: its fields, and the line of the file it starts on. */
export type ChunkRow = { line: number; fields: string[] };

/** How many errors an import keeps to show; the count goes on. */
export const KEPT_ERRORS = 100;

/** The row's fields by column name, as a request body would send them; absent optional columns are left out. */
export function fieldsOf(fields: string[], columns: ColumnIndex, names: string[]) {
  return Object.fromEntries(
    names.flatMap((name) => {
      const index = columns[name];
      const value = index === undefined ? undefined : fields[index];
      return value === undefined ? [] : [[name, value]];
    }),
  );
}

/** A record checked by the API's own schema: its values, or its issues. */
type Parsed<T> =
  | { success: true; data: T }
  | { success: false; error: { issues: z.core.$ZodIssue[] } };

/**
 * Checks the records of a chunk: each by `parse` (the API's own schema, given the row as a
 * request body would send it), and none repeating an earlier row's values of one of the
 * `unique` groups of columns (the later line is the error, naming the group's last column).
 * Answers the valid rows, the errors, and how many rows were refused.
 */
export function checkRows<T extends object>(
  records: ChunkRow[],
  parse: (record: ChunkRow) => Parsed<T>,
  unique: (keyof T & string)[][],
) {
  const valid: (T & { line: number })[] = [];
  const errors: ImportError[] = [];
  const seen = unique.map(() => new Map<string, number>());
  for (const { line, fields } of records) {
    const parsed = parse({ line, fields });
    if (!parsed.success) {
      errors.push(...rowErrors(line, parsed.error.issues));
      continue;
    }
    const row = parsed.data;
    const keys = unique.map((columns) => JSON.stringify(columns.map((column) => row[column])));
    const repeat = keys.findIndex((key, i) => seen[i]?.has(key));
    if (repeat >= 0) {
      const first = seen[repeat]?.get(keys[repeat] ?? "");
      errors.push({
        line,
        column: unique[repeat]?.at(-1) ?? null,
        message: `repeats line ${first}`,
      });
      continue;
    }
    for (const [i, key] of keys.entries()) seen[i]?.set(key, line);
    valid.push({ ...row, line });
  }
  return { valid, errors, refused: records.length - valid.length };
}

/** A row's validation issues as import errors: the column and the message, never the value. */
export const rowErrors = (line: number, issues: z.core.$ZodIssue[]): ImportError[] =>
  issues.map((issue) => ({
    line,
    column: issue.path[0] === undefined ? null : String(issue.path[0]),
    message: issue.message,
  }));

/**
 * The import's kept errors with this chunk's added, in line order, up to KEPT_ERRORS: the
 * rows refused before the batch (`refused`), and those the batch itself finds (`found`: a
 * subquery of `value` JSON objects and their `line`).
 */
export const errorsAppended = (refused: ImportError[], found: SQL) =>
  sql`(SELECT json_group_array(json(value)) FROM (SELECT value FROM (
    SELECT value, 0 AS chunk, key AS line FROM json_each(imports.errors)
    UNION ALL SELECT value, 1, json_extract(value, '$.line') FROM json_each(${JSON.stringify(refused.slice(0, KEPT_ERRORS))})
    UNION ALL SELECT value, 1, line FROM ${found}
  ) ORDER BY chunk, line LIMIT ${KEPT_ERRORS}))`;
