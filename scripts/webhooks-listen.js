// `npm run webhooks:listen`: a local receiver for the Worker that `npm run dev` serves. It
// listens on http://127.0.0.1:8788, subscribes itself to every event through the API (with the
// token of .dev.vars), prints each delivery as it arrives with the verdict of the
// `standardwebhooks` verifier, and deletes its subscription when stopped (Ctrl-C).
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { settingsOf } from "./dev-vars.js";
import { startReceiver, verify } from "./webhook-receiver.js";

const { values: args } = parseArgs({
  options: {
    api: { type: "string", default: "http://localhost:8787" },
    port: { type: "string", default: "8788" },
    events: { type: "string", default: "*" },
  },
});
const token = settingsOf(existsSync(".dev.vars") ? ".dev.vars" : ".dev.vars.example").get(
  "API_TOKEN",
);

/** @param {string} path @param {RequestInit} [init] */
async function callApi(path, init = {}) {
  const response = await fetch(`${args.api}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
  });
  if (!response.ok)
    throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

let secret = "";
const receiver = await startReceiver({
  port: Number(args.port),
  handle({ method, headers, body }) {
    if (method !== "POST") return { status: 405 };
    const { verified } = verify(secret, body, headers);
    const event = verified ? JSON.parse(body) : undefined;
    const time = new Date().toISOString().slice(11, 19);
    console.log(
      verified
        ? `${time}  ✓ ${event.type}  ${headers["webhook-id"]}  ${JSON.stringify(event.data)}`
        : `${time}  ✗ signature not valid: answered 401  ${headers["webhook-id"]}`,
    );
    return { status: verified ? 204 : 401 };
  },
});

const subscription = /** @type {{ id: number; secret: string }} */ (
  await callApi("/webhooks", {
    method: "POST",
    body: JSON.stringify({
      url: `${receiver.url}/`,
      events: args.events.split(","),
      description: "npm run webhooks:listen",
    }),
  })
);
secret = subscription.secret;
console.log(
  `Listening on ${receiver.url}/ as webhook ${subscription.id} of ${args.api}, for ${args.events}.`,
);
console.log("Change something (e.g. enroll a student) and its events appear here. Ctrl-C stops.");

async function stop() {
  await callApi(`/webhooks/${subscription.id}`, { method: "DELETE" }).catch((error) =>
    console.error(`Could not delete webhook ${subscription.id}: ${error.message}`),
  );
  receiver.close();
  process.exit(0);
}
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
