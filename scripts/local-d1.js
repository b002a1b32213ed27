// A local D1 for the scripts that load data straight into it (the benchmark, the capacity
// and write-burst measurements): the real migrations applied by wrangler into a
// `--persist-to` folder, then the database opened through wrangler's platform proxy.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";

/** @typedef {import("@cloudflare/workers-types").D1Database} D1Database */

/**
 * Migrates the local D1 in `state` and opens it; `dispose()` closes it (the folder stays, for
 * `wrangler dev --persist-to` or the caller to remove).
 * @param {string} state
 * @returns {Promise<{ db: D1Database; dispose: () => Promise<void> }>}
 */
export async function openLocalD1(state) {
  execFileSync(
    "npx",
    ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", state],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const { env, dispose } = await getPlatformProxy({
    configPath: "wrangler.toml",
    persist: { path: join(state, "v3") },
  });
  return { db: /** @type {D1Database} */ (env.DB), dispose };
}

/** The SQLite file behind the local D1 in `state`. */
export function localD1File(/** @type {string} */ state) {
  const dir = join(state, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find(
    (name) => name.endsWith(".sqlite") && name !== "metadata.sqlite",
  );
  if (!file) throw new Error(`no .sqlite file in ${dir}`);
  return join(dir, file);
}
