// `npm run bench:import [-- --scale default|small]`: roster imports against a floor.
//
// Writes a students file, a courses file and an enrollments file (default: 100,000 students,
// 1,000 courses, 1,000,000 enrollments, ten courses a student; small: a tenth of each), then:
// - imports them in that order through POST /imports on a local Worker (wrangler dev, a fresh
//   migrated D1, the rate limit raised), timing each from the upload to the import's end, and
//   sampling the resident memory of the Worker's processes (wrangler, workerd) meanwhile;
// - loads the same rows into another fresh D1 with `wrangler d1 execute --local --file`: plain
//   multi-row INSERTs, enrollments resolving SIS ids by join as the import does. That is the
//   floor: no parsing, checking, counting, chunking or progress.
// Prints rows per second of each, their ratio and the peak memory, and writes them to
// bench/results/import-<scale>.json.
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { uploadImport, waitForImport } from "../scripts/import-client.js";
import { openLocalD1 } from "../scripts/local-d1.js";
import { startBenchWorker } from "./worker.js";

const SCALES = {
  default: { students: 100_000, courses: 1_000, perStudent: 10 },
  small: { students: 10_000, courses: 100, perStudent: 10 },
};
const { values: options } = parseArgs({
  options: { scale: { type: "string", default: "default" } },
});
const scale = SCALES[/** @type {keyof typeof SCALES} */ (options.scale)];
if (!scale) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(", ")}`);
const TOKEN = "bench-token";
const ROWS_PER_INSERT = 500;

/** Student s's k-th course: distinct for k < 10, since 97 and the course counts are coprime. */
const courseOf = (/** @type {number} */ s, /** @type {number} */ k) =>
  ((s * 7 + k * 97) % scale.courses) + 1;

/** The three files' rows, as CSV lines and as SQL values, generated on the fly. */
const FILES = {
  students: {
    header: "sis_id,name,email",
    count: scale.students,
    *rows() {
      for (let s = 1; s <= scale.students; s++)
        yield [`S${s}`, `Student ${s}`, `student${s}@example.org`];
    },
    insert: "INSERT INTO students (sis_id, name, email) VALUES",
  },
  courses: {
    header: "sis_id,code,title,capacity,waitlist_capacity",
    count: scale.courses,
    *rows() {
      for (let c = 1; c <= scale.courses; c++) yield [`C${c}`, `C-${c}`, `Course ${c}`, "", ""];
    },
    insert: "INSERT INTO courses (sis_id, code, title, capacity, waitlist_capacity) VALUES",
  },
  enrollments: {
    header: "student_sis_id,course_sis_id",
    count: scale.students * scale.perStudent,
    *rows() {
      for (let s = 1; s <= scale.students; s++)
        for (let k = 0; k < scale.perStudent; k++) yield [`S${s}`, `C${courseOf(s, k)}`];
    },
    insert: null,
  },
};

/** Writes a file line by line, waiting when the stream asks to. */
async function writeLines(/** @type {string} */ path, /** @type {Iterable<string>} */ lines) {
  const out = createWriteStream(path);
  for (const line of lines) if (!out.write(`${line}\n`)) await once(out, "drain");
  out.end();
  await once(out, "finish");
}

const sqlText = (/** @type {string} */ v) => (v === "" ? "NULL" : `'${v.replaceAll("'", "''")}'`);

/** The same rows as SQL: multi-row INSERTs; enrollments by SIS id, joined as the import does. */
function* sqlOf(/** @type {keyof typeof FILES} */ name) {
  const file = FILES[name];
  /** @type {string[]} */
  let batch = [];
  const flush = () => {
    const values = batch.join(",");
    batch = [];
    return file.insert
      ? `${file.insert} ${values};`
      : `INSERT INTO student_courses (student_id, course_id) SELECT s.id, c.id FROM (VALUES ${values}) AS v JOIN students AS s ON s.sis_id = v.column1 JOIN courses AS c ON c.sis_id = v.column2;`;
  };
  for (const row of file.rows()) {
    batch.push(`(${row.map(sqlText).join(",")})`);
    if (batch.length === ROWS_PER_INSERT) yield flush();
  }
  if (batch.length > 0) yield flush();
}

/** The peak resident memory of a process group, sampled until stop() is called, in MiB. */
function sampleMemory(/** @type {number} */ group) {
  let peak = 0;
  const sample = () => {
    try {
      const rss = execFileSync("ps", ["-o", "rss=", "-g", String(group)], { encoding: "utf8" })
        .split("\n")
        .reduce((sum, kib) => sum + (Number(kib) || 0), 0);
      peak = Math.max(peak, rss / 1024);
    } catch {}
  };
  sample();
  const timer = setInterval(sample, 250);
  return () => {
    clearInterval(timer);
    sample();
    return Math.round(peak);
  };
}

/** Runs `wrangler d1 execute` on the local D1 in `state`; answers its wall time in seconds. */
function execute(/** @type {string} */ state, /** @type {string[]} */ what) {
  const started = performance.now();
  const args = ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", state, ...what];
  execFileSync("npx", args, { stdio: ["ignore", "ignore", "inherit"] });
  return (performance.now() - started) / 1000;
}

const work = mkdtempSync(join(tmpdir(), "bench-import-"));
try {
  const names = /** @type {(keyof typeof FILES)[]} */ (Object.keys(FILES));
  for (const name of names) {
    const file = FILES[name];
    await writeLines(join(work, `${name}.csv`), [
      file.header,
      ...[...file.rows()].map((r) => r.join(",")),
    ]);
    await writeLines(join(work, `${name}.sql`), sqlOf(name));
  }

  // The floor: the same rows, through wrangler d1 execute, into a fresh migrated D1; less the
  // time wrangler takes to start and run one statement (the median of three), which the
  // import's figure does not hold either (its Worker is already running).
  const floorState = join(work, "floor");
  await (await openLocalD1(floorState)).dispose();
  const startups = [1, 2, 3].map(() => execute(floorState, ["--command", "SELECT 1"]));
  const startup = startups.sort((a, b) => a - b)[1] ?? 0;
  /** @type {Record<string, number>} */
  const floorSeconds = {};
  for (const name of names) {
    const seconds = execute(floorState, ["--file", join(work, `${name}.sql`)]);
    floorSeconds[name] = Math.max(0.01, seconds - startup);
    console.error(
      `floor: ${name} in ${seconds.toFixed(1)} s, ${startup.toFixed(1)} s of it wrangler's start`,
    );
  }

  // Ours: the files through the API, one after the other, on a fresh migrated D1.
  const state = join(work, "api");
  await (await openLocalD1(state)).dispose();
  const worker = await startBenchWorker({ persist: state, vars: { API_TOKEN: TOKEN } });
  const rows = [];
  try {
    for (const name of names) {
      const stopSampling = sampleMemory(worker.processGroup);
      const started = performance.now();
      const sent = await uploadImport({
        origin: worker.origin,
        token: TOKEN,
        file: join(work, `${name}.csv`),
        query: new URLSearchParams({ type: name }),
      });
      if (sent.status !== 202) throw new Error(`POST /imports answered ${sent.status}`);
      const done = await waitForImport({
        origin: worker.origin,
        token: TOKEN,
        id: sent.body.id,
        everyMs: 250,
        onPoll: (found) =>
          process.stderr.write(
            `\r${name}: ${found.rows_processed.toLocaleString()} of ${FILES[name].count.toLocaleString()} rows`,
          ),
      });
      const seconds = (performance.now() - started) / 1000;
      const peak = stopSampling();
      process.stderr.write("\n");
      if (done.state !== "succeeded" || done.created !== FILES[name].count) {
        throw new Error(
          `${name}: ${done.state}, ${done.created} created, ${done.error_count} errors`,
        );
      }
      const floor = /** @type {number} */ (floorSeconds[name]);
      rows.push({
        file: name,
        rows: FILES[name].count,
        "import s": Number(seconds.toFixed(1)),
        "import rows/s": Math.round(FILES[name].count / seconds),
        "floor s": Number(floor.toFixed(1)),
        "floor rows/s": Math.round(FILES[name].count / floor),
        "import ÷ floor (rows/s)": Number((floor / seconds).toFixed(2)),
        "peak memory of wrangler + workerd, MiB": peak,
      });
    }
  } finally {
    worker.stop();
  }
  console.table(rows);
  mkdirSync("bench/results", { recursive: true });
  const out = join("bench", "results", `import-${options.scale}.json`);
  writeFileSync(out, `${JSON.stringify({ scale: options.scale, rows }, null, 2)}\n`);
  console.log(`Written to ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
