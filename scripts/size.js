// `npm run size`: what the Worker costs at the edge before it serves a request: its production
// bundle (minified, gzip) and its startup CPU, against the budgets. Exits 1 when the bundle is
// over budget: a size is deterministic. Startup CPU varies from run to run and with the
// machine's load, so it is the median of several runs, alternating with a bare Hono app
// (scripts/startup-floor/) started the same way, and reported beside it; over budget, it only
// warns. Each run's figure is read from its profile (scripts/startup-profile.js says why).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { firstRequestCosts } from "./first-request.js";
import { median } from "./median.js";
import { busyMs } from "./startup-profile.js";

// 75 KiB, the most issue 18 allows, since roster imports: csv-parse and src/imports/ took the
// bundle from 58 to 71 KiB, courses, enrollments and sync to 73.6 (docs/performance.md,
// "Size and startup").
const BUDGET = { gzipKiB: 75, startupMs: 15 };
const { values: args } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const RUNS = Math.max(1, Number(args.runs));

const out = mkdtempSync(join(tmpdir(), "size-"));
/** @param {string[]} wranglerArgs */
const wrangler = (wranglerArgs) =>
  execFileSync("npx", ["wrangler", ...wranglerArgs], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });

/** Bundles a Worker for production, as `wrangler deploy` would upload it. */
function build(/** @type {string} */ bundle, /** @type {string[]} */ configArgs) {
  const output = wrangler(["deploy", "--dry-run", "--minify", "--outfile", bundle, ...configArgs]);
  const [, rawKiB, gzipKiB] =
    output.match(/Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/) ?? [];
  if (!rawKiB || !gzipKiB) throw new Error(`could not read the bundle's size:\n${output}`);
  return { rawKiB: Number(rawKiB), gzipKiB: Number(gzipKiB) };
}

/** One start of a built Worker in workerd: the CPU time of its startup, in ms. */
function startup(/** @type {string} */ bundle) {
  const profile = join(out, "startup.cpuprofile");
  wrangler(["check", "startup", "--worker", bundle, "--outfile", profile]);
  return busyMs(JSON.parse(readFileSync(profile, "utf8")));
}

try {
  const compatibilityDate = readFileSync("wrangler.toml", "utf8").match(
    /^compatibility_date = "([\d-]+)"$/m,
  )?.[1];
  if (!compatibilityDate) throw new Error("wrangler.toml has no compatibility_date");
  const ours = join(out, "worker.bundle");
  const floor = join(out, "floor.bundle");
  const size = build(ours, []);
  build(floor, [
    "--config",
    "scripts/startup-floor/wrangler.toml",
    "--compatibility-date",
    compatibilityDate,
  ]);
  /** @type {{ ours: number[]; floor: number[] }} */
  const runs = { ours: [], floor: [] };
  for (let i = 0; i < RUNS; i++) {
    runs.ours.push(startup(ours));
    runs.floor.push(startup(floor));
  }
  const startupMs = median(runs.ours);
  const floorMs = median(runs.floor);
  const gzipOver = size.gzipKiB > BUDGET.gzipKiB;
  const startupOver = startupMs > BUDGET.startupMs;
  console.table({
    "bundle, minified + gzip": {
      measured: `${size.gzipKiB} KiB`,
      budget: `${BUDGET.gzipKiB} KiB`,
      verdict: gzipOver ? "OVER" : "ok",
    },
    "bundle, minified": { measured: `${size.rawKiB} KiB`, budget: "", verdict: "" },
    [`startup CPU, median of ${RUNS}`]: {
      measured: `${startupMs.toFixed(1)} ms`,
      budget: `${BUDGET.startupMs} ms`,
      verdict: startupOver ? "over (warning)" : "ok",
    },
    [`bare Hono app, median of ${RUNS}`]: {
      measured: `${floorMs.toFixed(1)} ms`,
      budget: "",
      verdict: "",
    },
    "startup − bare Hono app": {
      measured: `${(startupMs - floorMs).toFixed(1)} ms`,
      budget: "",
      verdict: "",
    },
    "startup ÷ bare Hono app": {
      measured: floorMs > 0 ? `${(startupMs / floorMs).toFixed(1)}×` : "–",
      budget: "",
      verdict: "",
    },
  });
  console.log(
    `startup runs (ms), alternating: ours ${runs.ours.map((ms) => ms.toFixed(1)).join(", ")}; bare Hono ${runs.floor.map((ms) => ms.toFixed(1)).join(", ")}`,
  );
  const firstRequests = await firstRequestCosts(RUNS);
  console.table(
    Object.fromEntries(
      firstRequests.map(({ route, first, second }) => [
        route,
        {
          [`first request, median of ${RUNS}`]: `${first.toFixed(1)} ms`,
          "second request": `${second.toFixed(1)} ms`,
          difference: `${(first - second).toFixed(1)} ms`,
        },
      ]),
    ),
  );
  if (startupOver)
    console.warn(
      `Startup took ${startupMs.toFixed(1)} ms (median), over ${BUDGET.startupMs} ms; a loaded machine inflates it, so this is a warning.`,
    );
  if (gzipOver) {
    console.error(`The bundle is ${size.gzipKiB} KiB gzip, over the ${BUDGET.gzipKiB} KiB budget.`);
    process.exitCode = 1;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
