// `npm run import -- <file.csv> --type students|courses|enrollments [--mode sync]
//   [--max-drop-percent N] [--dry-run] [--url URL] [--token TOKEN]`
//
// A small client of POST /imports (docs/imports.md): streams the file up, then polls the
// import, drawing a progress bar, and prints its counts and first errors as tables. The
// Worker is `npm run dev`'s unless --url (or API_URL) says otherwise; the token is --token,
// API_TOKEN, or the first write token of .dev.vars. Exits 0 when the import succeeded.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { settingsOf } from "./dev-vars.js";
import { uploadImport, waitForImport } from "./import-client.js";

const BAR_WIDTH = 30;

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    type: { type: "string" },
    mode: { type: "string" },
    "max-drop-percent": { type: "string" },
    "dry-run": { type: "boolean", default: false },
    url: { type: "string", default: process.env.API_URL ?? "http://localhost:8787" },
    token: { type: "string" },
  },
});
const [file] = positionals;
if (!file || !options.type) {
  console.error(
    "usage: npm run import -- <file.csv> --type students|courses|enrollments [--mode sync] [--max-drop-percent N] [--dry-run] [--url URL] [--token TOKEN]",
  );
  process.exit(2);
}

/** The write token: --token, API_TOKEN, or .dev.vars's (the first of a rotation list). */
function token() {
  const given = options.token ?? process.env.API_TOKEN;
  if (given) return given;
  const local = existsSync(".dev.vars") ? settingsOf(".dev.vars").get("API_TOKEN") : undefined;
  if (local) return local.split(",")[0] ?? "";
  throw new Error("no token: pass --token, set API_TOKEN, or run `npm run dev` once for .dev.vars");
}

/** The upload's query, from the options. */
function importQuery() {
  const query = new URLSearchParams({ type: options.type ?? "" });
  if (options.mode) query.set("mode", options.mode);
  if (options["max-drop-percent"]) query.set("max_drop_percent", options["max-drop-percent"]);
  if (options["dry-run"]) query.set("dry_run", "true");
  return query;
}

/** One line of progress: a bar on a terminal (redrawn in place), a plain line otherwise. */
function showProgress(/** @type {import("./import-client.js").Import} */ found) {
  const share = found.size_bytes > 0 ? found.bytes_processed / found.size_bytes : 1;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
  const total = found.rows_total === null ? "" : ` of ${found.rows_total}`;
  const line = `${bar} ${(share * 100).toFixed(0).padStart(3)}%  ${found.rows_processed}${total} rows  ${found.state}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
  else console.error(line);
}

const origin = options.url;
const auth = token();
const sent = await uploadImport({ origin, token: auth, file, query: importQuery() });
if (sent.status !== 202) {
  console.error(`POST /imports answered ${sent.status}: ${sent.body.detail ?? ""}`);
  if (sent.body.errors?.length) console.table(sent.body.errors);
  process.exit(1);
}
console.error(`import ${sent.body.id} queued: ${origin}/imports/${sent.body.id}`);
const found = await waitForImport({ origin, token: auth, id: sent.body.id, onPoll: showProgress });
if (process.stderr.isTTY) process.stderr.write("\n");
const { created, updated, unchanged, dropped, error_count } = found;
console.table([{ state: found.state, created, updated, unchanged, dropped, errors: error_count }]);
if (found.failure) console.log(`failure: ${found.failure}`);
if (found.errors.length > 0) {
  console.log(`the first ${found.errors.length} of ${error_count} rows with errors:`);
  console.table(found.errors);
}
process.exit(found.state === "succeeded" ? 0 : 1);
