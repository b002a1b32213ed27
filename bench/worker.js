// The Worker a benchmark runs against, ours or another: its own wrangler.toml copied next to it
// with the rate limit raised past what the benchmark sends (the limiter is still called on every
// request), started by scripts/local-worker.js on a D1 the caller has already loaded.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startLocalWorker } from "../scripts/local-worker.js";

/**
 * @typedef {object} BenchWorkerOptions
 * @property {string} persist the loaded D1 state folder.
 * @property {Record<string, string>} vars the Worker's vars (its token).
 * @property {number} [port] the loopback port. Default: a free one.
 * @property {string} [dir] the Worker's directory, holding its wrangler.toml. Default: ours.
 */

/**
 * @param {BenchWorkerOptions} options
 * @returns {Promise<{ origin: string; processGroup: number; stop: () => void }>}
 */
export async function startBenchWorker({ persist, vars, port, dir = "." }) {
  const config = ".bench.wrangler.toml";
  const original = readFileSync(join(dir, "wrangler.toml"), "utf8");
  const limit = /(simple\s*=\s*\{\s*limit\s*=\s*)\d+/g;
  if (original.includes("[[ratelimits]]") && !original.match(limit)) {
    throw new Error(`no rate limit to raise in ${join(dir, "wrangler.toml")}`);
  }
  writeFileSync(join(dir, config), original.replace(limit, "$1100000000"));
  const remove = () => rmSync(join(dir, config), { force: true });
  try {
    const worker = await startLocalWorker({
      persist,
      config,
      vars,
      logLevel: "warn",
      ...(port === undefined ? {} : { port }),
      ...(dir === "." ? {} : { cwd: dir }),
    });
    return {
      ...worker,
      stop: () => {
        worker.stop();
        remove();
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}
