// `npm run dev`: prepares the local environment, then serves the API with `wrangler dev`.
// Every step is safe to repeat, and the local D1 keeps its data across restarts (.wrangler/state).
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { localSettings, settingsOf } from "./dev-vars.js";

if (!existsSync(".dev.vars")) {
  writeFileSync(".dev.vars", "");
  console.log("Created .dev.vars with the local settings of .dev.vars.example.");
}
// Settings added to the example since .dev.vars was made are added to it, keys generated.
const present = settingsOf(".dev.vars");
for (const [name, value] of localSettings()) {
  if (present.get(name)) continue;
  appendFileSync(".dev.vars", `${name}=${value}\n`);
  console.log(`Added ${name} to .dev.vars.`);
}

/**
 * Runs an npm script. Its standard input is not a terminal, so wrangler applies local
 * migrations without asking (the local database is a disposable copy).
 * @param {string} script
 * @param {{ quiet?: boolean }} [options] quiet: show only errors
 */
function npmRun(script, { quiet = false } = {}) {
  const { status } = spawnSync("npm", ["run", "--silent", script], {
    stdio: ["ignore", quiet ? "ignore" : "inherit", "inherit"],
  });
  if (status !== 0) process.exit(status ?? 1);
}

npmRun("db:migrate:local");
npmRun("db:seed:local", { quiet: true });
console.log("Local D1 migrated and seeded (scripts/seed.sql).");

// wrangler dev would try to fetch Request.cf data from the internet at every start; it is not needed here.
const { status } = spawnSync("npx", ["wrangler", "dev", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
process.exit(status ?? 0);
