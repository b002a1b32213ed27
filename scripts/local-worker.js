// A local Worker for the scripts that run against `wrangler dev`. By default a fresh one: a new
// D1 in a temporary folder, migrated and seeded, on a free loopback port, with the local tokens
// of .dev.vars.example (passed explicitly, so a developer's own .dev.vars doesn't matter). The
// benchmark passes its own loaded D1, config, port and token instead, and, to run another
// Worker side by side with ours, that Worker's directory.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localSettings } from "./dev-vars.js";

/** @returns {Promise<number>} */
export async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** The local settings, by name (API_TOKEN, API_READ_TOKEN, a generated WEBHOOK_SECRET_KEY, …). */
export const localVars = () => Object.fromEntries(localSettings());

/**
 * @typedef {object} LocalWorkerOptions
 * @property {string} [persist] a D1 state folder the caller has already migrated and loaded:
 *   used as it is (not seeded) and left in place by stop(). Default: a fresh, seeded one.
 * @property {string} [config] the wrangler config file. Default: wrangler.toml.
 * @property {number} [port] the loopback port. Default: a free one.
 * @property {Record<string, string>} [vars] the Worker's vars. Default: localVars().
 * @property {string} [logLevel] wrangler's --log-level. Default: wrangler's.
 * @property {number} [inspectorPort] the port of wrangler dev's inspector (for CPU profiles).
 *   Default: wrangler's.
 * @property {string} [cwd] the Worker's directory, where wrangler runs (config is relative to
 *   it). Default: this project. Another directory needs `persist`: seeding uses our scripts.
 */

/**
 * Starts `wrangler dev` and resolves once /health answers; stop() ends it (and removes the D1
 * it created). processGroup: the id of the process group that wrangler, workerd and their
 * children run in (for measuring their CPU time).
 * @param {LocalWorkerOptions} [options]
 * @returns {Promise<{ origin: string; processGroup: number; stop: () => void }>}
 */
export async function startLocalWorker(options = {}) {
  const configArgs = options.config ? ["--config", options.config] : [];
  const fresh = options.persist === undefined;
  if (fresh && options.cwd !== undefined) {
    throw new Error("a Worker in another directory needs persist: seeding uses our scripts");
  }
  const persist = options.persist ?? mkdtempSync(join(tmpdir(), "local-worker-"));
  for (const script of fresh ? ["db:migrate:local", "db:seed:local"] : []) {
    const { status, stderr } = spawnSync(
      "npm",
      ["run", "--silent", script, "--", "--persist-to", persist, ...configArgs],
      { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" },
    );
    if (status !== 0) throw new Error(`${script} failed:\n${stderr}`);
  }
  const port = options.port ?? (await freePort());
  const vars = Object.entries(options.vars ?? localVars()).flatMap(([name, value]) => [
    "--var",
    `${name}:${value}`,
  ]);
  const worker = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      ...configArgs,
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persist,
      ...(options.logLevel ? ["--log-level", options.logLevel] : []),
      ...(options.inspectorPort ? ["--inspector-port", String(options.inspectorPort)] : []),
      "--show-interactive-dev-session=false",
      ...vars,
    ],
    // wrangler dev would try to fetch Request.cf data from the internet; it is not needed here.
    {
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    },
  );
  const stop = () => {
    if (worker.pid && worker.exitCode === null) process.kill(-worker.pid, "SIGTERM");
    if (fresh) rmSync(persist, { recursive: true, force: true });
  };
  let output = "";
  worker.stdout.on("data", (d) => (output += d));
  worker.stderr.on("data", (d) => (output += d));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && worker.exitCode === null) {
    try {
      if ((await fetch(`${origin}/health`)).ok && worker.pid) {
        return { origin, processGroup: worker.pid, stop };
      }
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`wrangler dev did not start:\n${output}`);
}
