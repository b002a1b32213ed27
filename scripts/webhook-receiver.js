// A webhook receiver for local use (`npm run webhooks:listen`) and for the tests: an HTTP
// server on the loopback that checks each delivery's signature with the `standardwebhooks`
// package (a verifier this project did not write) and hands it on with the verdict.
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

/**
 * @typedef {{ path: string; id: string; timestamp: string; signature: string; body: string;
 *   verified: boolean; tamperedRefused: boolean; error?: string }} Delivery
 */

/**
 * Whether `secret` verifies the delivery, and whether it refuses the same delivery with a
 * body changed by one character.
 * @param {string} secret
 * @param {string} body
 * @param {Record<string, string>} headers webhook-id, webhook-timestamp, webhook-signature
 */
export function verify(secret, body, headers) {
  const webhook = new Webhook(secret);
  /** @param {string} text */
  const passes = (text) => {
    try {
      webhook.verify(text, headers);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: String(error) };
    }
  };
  const genuine = passes(body);
  return {
    verified: genuine.ok,
    tamperedRefused: !passes(`${body} `).ok,
    ...(genuine.error ? { error: genuine.error } : {}),
  };
}

/**
 * Starts a receiver on 127.0.0.1. For each request, `handle` gets its method, path, headers
 * and body, and says the status (and body) to answer with, and how many ms to wait first.
 * @param {{ port?: number; handle: (request: { method: string; path: string;
 *   headers: Record<string, string>; body: string }) =>
 *   { status: number; body?: string; delayMs?: number } }} options
 * @returns {Promise<{ url: string; close: () => void; unref: () => void }>}
 */
export function startReceiver({ port = 0, handle }) {
  const server = createServer((request, response) => {
    /** @type {Buffer[]} */
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const headers = /** @type {Record<string, string>} */ ({});
      for (const [name, value] of Object.entries(request.headers))
        if (typeof value === "string") headers[name] = value;
      const path = new URL(request.url ?? "/", "http://receiver").pathname;
      const body = Buffer.concat(chunks).toString("utf8");
      const answer = handle({ method: request.method ?? "GET", path, headers, body });
      const reply = () => {
        // A sender that gave up waiting has closed the connection: nothing to answer.
        if (response.destroyed) return;
        response.writeHead(answer.status, { "Content-Type": "text/plain" });
        response.end(answer.body ?? "");
      };
      // A wait to answer keeps no process alive.
      if (answer.delayMs) setTimeout(reply, answer.delayMs).unref();
      else reply();
    });
  });
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const actual = typeof address === "object" && address ? address.port : port;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        close: () => server.close(),
        // Lets the process end while the receiver still listens (the test run's).
        unref: () => server.unref(),
      });
    });
  });
}
