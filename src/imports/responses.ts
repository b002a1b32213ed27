import * as z from "zod/mini";
import { IMPORT_STATES, IMPORT_TYPES } from "../db/schema";
import { idValue } from "../lib/ids";

/**
 * What /imports answers with. Only the OpenAPI document and the tests build these schemas;
 * the Worker never imports this module, so it builds none of them at startup.
 */

/** A row the import could not apply: its line, the column at fault, and why; never its content. */
const importError = z.strictObject({
  line: z.int(),
  column: z.nullable(z.string()),
  message: z.string(),
});

export const importRecord = z.strictObject({
  id: idValue(),
  type: z.enum(IMPORT_TYPES),
  /** upsert: the file's rows are applied; sync (enrollments): and what its courses' rosters list no more is dropped. */
  mode: z.enum(["upsert", "sync"]),
  /** A sync fails, changing nothing, when it would drop more than this share of its courses' enrollments. */
  max_drop_percent: z.int(),
  dry_run: z.boolean(),
  /** queued, running, then succeeded or failed; or cancelled. */
  state: z.enum(IMPORT_STATES),
  size_bytes: z.int(),
  /** How far into the file the chunks applied so far reach: the progress. */
  bytes_processed: z.int(),
  /** Rows read past the header, valid or not. */
  rows_processed: z.int(),
  /** The file's rows past its header: known once a sync has read the whole file, or the import has ended; null until then. */
  rows_total: z.nullable(z.int()),
  created: z.int(),
  updated: z.int(),
  unchanged: z.int(),
  dropped: z.int(),
  error_count: z.int(),
  /** The first 100 errors, in line order. */
  errors: z.array(importError),
  /** Why a failed import stopped. */
  failure: z.nullable(z.string()),
  created_at: z.string(),
  started_at: z.nullable(z.string()),
  finished_at: z.nullable(z.string()),
});

export type ImportRecord = z.output<typeof importRecord>;
export type ImportError = z.output<typeof importError>;
