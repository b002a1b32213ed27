import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { NonRetryableError } from "cloudflare:workflows";
import { and, eq, sql } from "drizzle-orm";
import { database } from "../db/client";
import { imports, NOW } from "../db/schema";
import { logInfo } from "../log";
import { applyChunk, forgetFile, type PreparedChunk } from "./apply";
import { type ColumnIndex, columnIndex } from "./columns";
import { prepareCourses } from "./courses";
import { CsvSyntaxError, parseChunk } from "./csv";
import { prepareEnrollments } from "./enrollments";
import type { ChunkRow } from "./rows";
import type { ImportType } from "./schemas";
import { prepareStudents } from "./students";
import { checkDrops, dropUnlisted, gatherPairs } from "./sync";

export type ImportParams = { importId: number };

/**
 * How much of the file one step reads: about 2,500 rows of a students file, whose JSON (bound
 * to the chunk's statements) stays under D1's 2 MB for a value (MAX_ROWS_PER_CHUNK keeps it so
 * for files of very short rows).
 */
const CHUNK_BYTES = 128 * 1024;
/** The longest record read: one longer is a quote never closed, not a row. */
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/**
 * The most rows one step takes: with their JSON's keys and escapes, 10,000 of the shortest
 * rows that fit in a chunk stay under 1.1 MB of JSON, within D1's 2 MB for a value.
 */
const MAX_ROWS_PER_CHUNK = 10_000;

/** How each kind of file's rows are checked and written. */
const PREPARE: Record<
  ImportType,
  (records: ChunkRow[], columns: ColumnIndex, importId: number) => PreparedChunk
> = {
  students: prepareStudents,
  courses: prepareCourses,
  enrollments: prepareEnrollments,
};

/** What the first step learned, which every chunk needs. */
type Job = {
  id: number;
  type: ImportType;
  sync: boolean;
  maxDropPercent: number;
  dryRun: boolean;
  key: string;
  size: number;
  columns: ColumnIndex;
};
/** How far into the file the chunks applied so far reach. */
type Position = { bytes: number; lines: number };

/**
 * Applies an uploaded file, chunk after chunk, each its own step: a step that fails is retried
 * and, its writes being one batch, applies its chunk once. A cancelled import stops before its
 * next chunk. The import's row in D1 says what has been applied at every moment. A sync
 * first reads the whole file for the pairs it lists and checks what it would drop (see
 * sync.ts), and drops that after the chunks.
 */
export class ImportWorkflow extends WorkflowEntrypoint<Env, ImportParams> {
  override async run(event: WorkflowEvent<ImportParams>, step: WorkflowStep) {
    const { importId } = event.payload;
    try {
      const start = await step.do("start", () => startImport(this.env, importId));
      if (!start) return;
      const { job } = start;
      const db = () => database(this.env.DB);
      // A cancelled import stops, and lets go of what it remembered of its file.
      const cancelled = () =>
        step.do("cancelled", async () => {
          const d = db();
          await d.batch(forgetFile(d, importId));
        });
      if (job.sync) {
        let scanned = { ...start.position, rows: 0 };
        for (let n = 1; scanned.bytes < job.size; n++) {
          const at = scanned;
          scanned = await step.do(`scan ${n}`, () => scanChunk(this.env, job, at));
        }
        await step.do("check drops", () => checkDrops(db(), job, scanned.rows));
      }
      let position = start.position;
      for (let n = 1; position.bytes < job.size; n++) {
        const at = position;
        const next = await step.do(`chunk ${n}`, () => nextChunk(this.env, job, at));
        if (!next) return await cancelled();
        position = next;
      }
      for (let n = 1, more = job.sync && !job.dryRun; more; n++) {
        const dropped = await step.do(`drops ${n}`, () => dropUnlisted(db(), importId));
        if (dropped === null) return await cancelled();
        more = dropped;
      }
      await step.do("finish", () => endImport(this.env, importId, "succeeded"));
    } catch (error) {
      await step.do("fail", () => endImport(this.env, importId, "failed", failureOf(error)));
    }
  }
}

/**
 * Marks the import running and reads its header: its job and the position after the header;
 * null if it was cancelled. A retry of this step (it failed after marking the import running)
 * takes the running import up again.
 */
async function startImport(env: Env, id: number) {
  const db = database(env.DB);
  const [row] = await db
    .update(imports)
    .set({ state: "running", started_at: sql`coalesce(${imports.started_at}, ${NOW})` })
    .where(and(eq(imports.id, id), sql`${imports.state} IN ('queued', 'running')`))
    .returning();
  if (!row) return null;
  const head = await readRecords(env, row.object_key, { bytes: 0, lines: 0 }, row.size_bytes, 1);
  const header = head.records[0];
  if (!header) throw new Error("the file has no header row");
  const job: Job = {
    id,
    type: row.type,
    sync: row.mode === "sync",
    maxDropPercent: row.max_drop_percent,
    dryRun: row.dry_run === 1,
    key: row.object_key,
    size: row.size_bytes,
    columns: columnIndex(row.type, header.fields),
  };
  const position = header.end;
  await db
    .update(imports)
    .set({ bytes_processed: position.bytes, lines_processed: position.lines })
    .where(eq(imports.id, id));
  logInfo("import.started", { import_id: id, type: row.type });
  return { job, position };
}

/**
 * Reads the complete records from `from` on (at most `limit`): at least one, reading more when
 * one is longer than a chunk. A file that is not CSV there fails the import without retries.
 */
async function readRecords(env: Env, key: string, from: Position, size: number, limit?: number) {
  for (let length = CHUNK_BYTES; ; length *= 2) {
    const object = await env.IMPORT_FILES.get(key, { range: { offset: from.bytes, length } });
    if (!object) throw new Error("the import's file is gone");
    const isLast = from.bytes + length >= size;
    // A read made longer for one long record takes that record alone.
    const most = length > CHUNK_BYTES ? 1 : (limit ?? MAX_ROWS_PER_CHUNK);
    const chunk = parseRange(new Uint8Array(await object.arrayBuffer()), isLast, from, most);
    if (isLast || chunk.consumedBytes > 0) {
      return {
        records: chunk.records.map(({ fields, line, end }) => ({
          fields,
          line: from.lines + line,
          end: { bytes: from.bytes + end.bytes, lines: from.lines + end.lines },
        })),
        next: { bytes: from.bytes + chunk.consumedBytes, lines: from.lines + chunk.consumedLines },
      };
    }
    if (length >= MAX_RECORD_BYTES) {
      throw new NonRetryableError(
        `line ${from.lines + 1}: a record longer than ${MAX_RECORD_BYTES} bytes (a quote never closed?)`,
      );
    }
  }
}

/** parseChunk, with a syntax error named by its line in the file. */
function parseRange(bytes: Uint8Array, isLast: boolean, from: Position, limit?: number) {
  try {
    return parseChunk(bytes, isLast, limit);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    throw new NonRetryableError(`line ${from.lines + error.line}: ${error.message}`);
  }
}

/** Applies the records from `position` on (one chunk); the position after them, or null if the import was cancelled. */
async function nextChunk(env: Env, job: Job, position: Position): Promise<Position | null> {
  const { records, next } = await readRecords(env, job.key, position, job.size);
  const chunk = PREPARE[job.type](records, job.columns, job.id);
  const state = await applyChunk(database(env.DB), job, chunk, {
    from: position.bytes,
    to: next.bytes,
    lines: next.lines - position.lines,
    records: records.length,
  });
  if (state !== "running") return null;
  logInfo("import.chunk", { import_id: job.id, rows: records.length, refused: chunk.refused.rows });
  return next;
}

/** Ends a running import: succeeded, or failed with the reason; it lets go of what it remembered of its file. */
async function endImport(env: Env, id: number, state: "succeeded" | "failed", failure?: string) {
  const db = database(env.DB);
  await db.batch([
    db
      .update(imports)
      .set({
        state,
        failure: failure ?? null,
        finished_at: NOW,
        // Every row has been read once an import succeeds.
        rows_total: state === "succeeded" ? imports.rows_processed : imports.rows_total,
      })
      .where(and(eq(imports.id, id), sql`${imports.state} IN ('queued', 'running')`)),
    ...forgetFile(db, id),
  ]);
  logInfo(`import.${state}`, { import_id: id });
}

/** Reads a chunk of a sync's file for the pairs it lists; the position after it, and the rows read so far. */
async function scanChunk(env: Env, job: Job, position: Position & { rows: number }) {
  const { records, next } = await readRecords(env, job.key, position, job.size);
  await gatherPairs(database(env.DB), job.id, records, job.columns);
  return { ...next, rows: position.rows + records.length };
}

/**
 * Why an import failed, as its record shows it: the error's message (a D1 error names no
 * value), without the class name the Workflow engine puts before a NonRetryableError's.
 */
const failureOf = (error: unknown) =>
  error instanceof Error ? error.message.replace(/^NonRetryableError: /, "") : "an unknown error";
