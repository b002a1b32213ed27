// A client of POST /imports and GET /imports/{id}, for `npm run import` and the import
// benchmark: the file streams up from disk with its length (never read whole), then the
// import is polled until it ends.
import { createReadStream, statSync } from "node:fs";
import http from "node:http";
import https from "node:https";

/** @typedef {{ id: number; state: string; size_bytes: number; bytes_processed: number; rows_processed: number; rows_total: number | null; created: number; updated: number; unchanged: number; dropped: number; error_count: number; errors: { line: number; column: string | null; message: string }[]; failure: string | null }} Import */

/**
 * POSTs `file` to /imports?`query`; answers the status and the parsed body.
 * @param {{ origin: string; token: string; file: string; query: URLSearchParams }} options
 * @returns {Promise<{ status: number; body: Import & { detail?: string; errors?: unknown[] } }>}
 */
export function uploadImport({ origin, token, file, query }) {
  const url = new URL(`/imports?${query}`, origin);
  const size = statSync(file).size;
  return new Promise((resolve, reject) => {
    const request = (url.protocol === "https:" ? https : http).request(url, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "text/csv",
        "Content-Length": size,
      },
    });
    request.on("error", reject);
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(body) }),
      );
    });
    createReadStream(file).pipe(request);
  });
}

/**
 * Polls the import every `everyMs` until it has ended, calling `onPoll` with each state seen.
 * @param {{ origin: string; token: string; id: number; everyMs?: number; onPoll?: (found: Import) => void }} options
 * @returns {Promise<Import>}
 */
export async function waitForImport({ origin, token, id, everyMs = 500, onPoll }) {
  for (;;) {
    const response = await fetch(new URL(`/imports/${id}`, origin), {
      headers: { Authorization: `Bearer ${token}` },
    });
    const found = /** @type {Import} */ (await response.json());
    onPoll?.(found);
    if (found.state !== "queued" && found.state !== "running") return found;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
