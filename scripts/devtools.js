// A Chrome DevTools protocol session over one inspector target's WebSocket: how the scripts
// profile workerd isolates (bench/cpu-profile.js, scripts/first-request.js).

/**
 * @param {string} url the target's webSocketDebuggerUrl
 * @returns {{ opened: Promise<unknown>; send: (method: string, params?: object) => Promise<any>; close: () => void }}
 */
export function devtoolsSession(url) {
  // wrangler dev's inspector refuses a WebSocket that names no local page as its origin.
  const ws = new WebSocket(url, { headers: { Origin: "http://127.0.0.1" } });
  let next = 1;
  /** @type {Map<number, { resolve: (result: any) => void; reject: (error: Error) => void }>} */
  const pending = new Map();
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data));
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.error) waiting.reject(new Error(JSON.stringify(message.error)));
    else waiting.resolve(message.result);
  });
  const opened = new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve);
    ws.addEventListener("error", reject);
  });
  /** @returns {Promise<any>} */
  const send = (/** @type {string} */ method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { opened, send, close: () => ws.close() };
}
