// `npm run size`: what the Worker costs at the edge before it serves a request: its production
// bundle (minified, gzip) and its startup CPU, against the budgets. Exits 1 when the bundle is
// over budget: a size is deterministic. Startup time varies from run to run, so it only warns.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BUDGET = { gzipKiB: 60, startupMs: 15 };

const out = mkdtempSync(join(tmpdir(), "size-"));
/** @param {string[]} args */
const wrangler = (args) =>
  execFileSync("npx", ["wrangler", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
try {
  const build = wrangler(["deploy", "--dry-run", "--minify", "--outdir", join(out, "dist")]);
  const [, rawKiB, gzipKiB] = build.match(/Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/) ?? [];
  const startup = wrangler(["check", "startup", "--outfile", join(out, "startup.cpuprofile")]);
  const [, startupMs] = startup.match(/Active: ([\d.]+) ms/) ?? [];
  if (!gzipKiB || !startupMs)
    throw new Error(`could not read the figures from wrangler:\n${build}\n${startup}`);

  const gzipOver = Number(gzipKiB) > BUDGET.gzipKiB;
  const startupOver = Number(startupMs) > BUDGET.startupMs;
  console.table({
    "bundle, minified + gzip": {
      measured: `${gzipKiB} KiB`,
      budget: `${BUDGET.gzipKiB} KiB`,
      verdict: gzipOver ? "OVER" : "ok",
    },
    "bundle, minified": { measured: `${rawKiB} KiB`, budget: "", verdict: "" },
    "startup CPU": {
      measured: `${startupMs} ms`,
      budget: `${BUDGET.startupMs} ms`,
      verdict: startupOver ? "over (warning)" : "ok",
    },
  });
  if (startupOver)
    console.warn(
      `Startup took ${startupMs} ms, over ${BUDGET.startupMs} ms; times vary, so this is a warning.`,
    );
  if (gzipOver) {
    console.error(`The bundle is ${gzipKiB} KiB gzip, over the ${BUDGET.gzipKiB} KiB budget.`);
    process.exitCode = 1;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
