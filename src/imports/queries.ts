import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { imports, NOW } from "../db/schema";
import type { ImportError } from "./responses";
import type { ImportRequest } from "./schemas";

/** An import as the API shows it. */
const importColumns = {
  id: imports.id,
  type: imports.type,
  mode: imports.mode,
  max_drop_percent: imports.max_drop_percent,
  dry_run: sql<boolean>`${imports.dry_run} = 1`.mapWith(Boolean),
  state: imports.state,
  size_bytes: imports.size_bytes,
  bytes_processed: imports.bytes_processed,
  rows_processed: imports.rows_processed,
  rows_total: imports.rows_total,
  created: imports.created,
  updated: imports.updated,
  unchanged: imports.unchanged,
  dropped: imports.dropped,
  error_count: imports.error_count,
  errors: sql<ImportError[]>`${imports.errors}`.mapWith((json: string) => JSON.parse(json)),
  failure: imports.failure,
  created_at: imports.created_at,
  started_at: imports.started_at,
  finished_at: imports.finished_at,
};

/** Records an import of the file stored at `objectKey`, queued for its Workflow. */
export async function insertImport(
  db: Database,
  request: ImportRequest,
  file: { objectKey: string; size: number },
) {
  const [row] = await db
    .insert(imports)
    .values({
      type: request.type,
      mode: request.mode,
      max_drop_percent: request.max_drop_percent,
      dry_run: request.dry_run ? 1 : 0,
      object_key: file.objectKey,
      size_bytes: file.size,
    })
    .returning(importColumns);
  if (!row) throw new Error("an insert returned no row");
  return row;
}

export const findImport = (db: Database, id: number) =>
  db.select(importColumns).from(imports).where(eq(imports.id, id)).get();

/** `count` imports with an id above `after`, in id order. */
export const listImports = (db: Database, count: number, after = 0) =>
  db
    .select(importColumns)
    .from(imports)
    .where(gt(imports.id, after))
    .orderBy(asc(imports.id))
    .limit(count);

/**
 * Cancels an import that has not finished: its Workflow stops before its next chunk, and the
 * chunks applied stay applied. Answers the import as it now is (unchanged if it had finished).
 */
export async function cancelImport(db: Database, id: number) {
  const [, found] = await db.batch([
    db
      .update(imports)
      .set({ state: "cancelled", finished_at: NOW })
      .where(and(eq(imports.id, id), inArray(imports.state, ["queued", "running"]))),
    db.select(importColumns).from(imports).where(eq(imports.id, id)),
  ]);
  return found[0];
}
