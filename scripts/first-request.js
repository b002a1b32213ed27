// What a route's first request costs an isolate beyond its later ones: the Worker builds a
// route's validators on the route's first request (src/lib/lazy.ts), not at startup. For each
// of a few fresh `wrangler dev` isolates, the CPU of two requests of the same route in a row,
// each read from a profile taken over the DevTools protocol (busy samples only, as for
// startup). `npm run size` prints the medians beside the startup figures.
import { devtoolsSession } from "./devtools.js";
import { freePort, localVars, startLocalWorker } from "./local-worker.js";
import { median } from "./median.js";
import { busyMs } from "./startup-profile.js";

const { API_TOKEN } = localVars();

/** The routes measured: a write with a body to validate, and a read with a path to validate. */
const ROUTES = [
  {
    name: "POST /students",
    request: (/** @type {number} */ n) => ({
      path: "/students",
      init: {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: "First Request", email: `first-request-${n}@example.edu` }),
      },
    }),
  },
  {
    name: "GET /students/{id}",
    // The first student of the seed (scripts/seed.sql) that a fresh local Worker starts with.
    request: () => ({ path: "/students/1", init: { method: "GET" } }),
  },
];

/** The CPU of one request in the profiled isolate, in ms. */
async function profiled(
  /** @type {ReturnType<typeof devtoolsSession>} */ session,
  /** @type {string} */ origin,
  /** @type {{ path: string; init: RequestInit }} */ { path, init },
) {
  await session.send("Profiler.start");
  const response = await fetch(`${origin}${path}`, {
    ...init,
    headers: { ...init.headers, Authorization: `Bearer ${API_TOKEN}` },
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${init.method} ${path} answered ${response.status}`);
  // Work after the answer (the log line, waitUntil) belongs to the request too.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const { profile } = await session.send("Profiler.stop");
  return busyMs(profile);
}

/**
 * Per route, the median over `runs` fresh isolates of its first and its second request's CPU.
 * @returns {Promise<{ route: string; first: number; second: number }[]>}
 */
export async function firstRequestCosts(runs = 3) {
  /** @type {Map<string, { first: number[]; second: number[] }>} */
  const costs = new Map(ROUTES.map((r) => [r.name, { first: [], second: [] }]));
  for (let run = 0; run < runs; run++) {
    const inspectorPort = await freePort();
    const worker = await startLocalWorker({ inspectorPort });
    try {
      const listed = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
      const [target] = /** @type {{ webSocketDebuggerUrl: string }[]} */ (listed);
      if (!target) throw new Error("wrangler dev's inspector lists no Worker");
      const session = devtoolsSession(target.webSocketDebuggerUrl);
      await session.opened;
      await session.send("Profiler.enable");
      await session.send("Profiler.setSamplingInterval", { interval: 100 });
      for (const route of ROUTES) {
        const cost = /** @type {{ first: number[]; second: number[] }} */ (costs.get(route.name));
        cost.first.push(await profiled(session, worker.origin, route.request(2 * run)));
        cost.second.push(await profiled(session, worker.origin, route.request(2 * run + 1)));
      }
      session.close();
    } finally {
      worker.stop();
    }
  }
  return [...costs].map(([route, { first, second }]) => ({
    route,
    first: median(first),
    second: median(second),
  }));
}
