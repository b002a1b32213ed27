// `npm run import -- <file.csv> --type students|courses|enrollments [--mode sync]
//   [--max-drop-percent N] [--dry-run] [--url URL] [--token TOKEN]`
//
// A small client of POST /imports (docs/imports.md): streams the file up (never read whole),
// then polls the import, drawing a progress bar, and prints its counts and first errors as
// tables. The Worker is `npm run dev`'s unless --url (or API_URL) says otherwise; the token is
// --token, API_TOKEN, or the first write token of .dev.vars. Exits 0 when the import
// succeeded, 1 otherwise.
import { createReadStream, existsSync, statSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { parseArgs } from "node:util";
import { settingsOf } from "./dev-vars.js";

const POLL_MS = 500;
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

/** @typedef {{ id: number; state: string; size_bytes: number; bytes_processed: number; rows_processed: number; created: number; updated: number; unchanged: number; dropped: number; error_count: number; errors: { line: number; column: string | null; message: string }[]; failure: string | null }} Import */

const headers = { Authorization: `Bearer ${token()}` };

/** POST /imports with the file as the body, streamed with its length. */
function upload() {
  const query = new URLSearchParams({ type: options.type ?? "" });
  if (options.mode) query.set("mode", options.mode);
  if (options["max-drop-percent"]) query.set("max_drop_percent", options["max-drop-percent"]);
  if (options["dry-run"]) query.set("dry_run", "true");
  const url = new URL(`/imports?${query}`, options.url);
  const size = statSync(/** @type {string} */ (file)).size;
  return new Promise((resolve, reject) => {
    const request = (url.protocol === "https:" ? https : http).request(url, {
      method: "POST",
      headers: { ...headers, "Content-Type": "text/csv", "Content-Length": size },
    });
    request.on("error", reject);
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode, body: JSON.parse(body) }));
    });
    createReadStream(/** @type {string} */ (file)).pipe(request);
  });
}

/** @returns {Promise<Import>} */
async function importNow(/** @type {number} */ id) {
  const response = await fetch(new URL(`/imports/${id}`, options.url), { headers });
  return /** @type {Promise<Import>} */ (response.json());
}

/** One line of progress: a bar on a terminal (redrawn in place), a plain line otherwise. */
function showProgress(/** @type {Import} */ found) {
  const share = found.size_bytes > 0 ? found.bytes_processed / found.size_bytes : 1;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
  const line = `${bar} ${(share * 100).toFixed(0).padStart(3)}%  ${found.rows_processed} rows  ${found.state}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
  else console.error(line);
}

const sent =
  /** @type {{ status: number; body: Import & { detail?: string; errors?: unknown[] } }} */ (
    await upload()
  );
if (sent.status !== 202) {
  console.error(`POST /imports answered ${sent.status}: ${sent.body.detail ?? ""}`);
  if (sent.body.errors?.length) console.table(sent.body.errors);
  process.exit(1);
}
let found = sent.body;
console.error(`import ${found.id} queued: ${options.url}/imports/${found.id}`);
while (found.state === "queued" || found.state === "running") {
  showProgress(found);
  await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  found = await importNow(found.id);
}
showProgress(found);
if (process.stderr.isTTY) process.stderr.write("\n");
const { created, updated, unchanged, dropped, error_count } = found;
console.table([{ state: found.state, created, updated, unchanged, dropped, errors: error_count }]);
if (found.failure) console.log(`failure: ${found.failure}`);
if (found.errors.length > 0) {
  console.log(`the first ${found.errors.length} of ${error_count} rows with errors:`);
  console.table(found.errors);
}
process.exit(found.state === "succeeded" ? 0 : 1);
