// `npm run write-burst -- [--enrollments 4000] [--concurrency 32] [--students 20000] [--courses 200]`
//
// A burst of enrollments against one local D1, the best figure we have locally for what one
// primary sustains (docs/scaling.md says what it predicts and what it does not). A fresh
// local D1 with the real migrations, students and courses loaded, no enrollments; then four
// bursts of `--enrollments` new enrollments each, every pair distinct, `--concurrency` at a
// time:
//   1. D1 direct, one INSERT per call: our table and its change-feed triggers, without the Worker.
//   2. D1 direct, 100 INSERTs per batch() call.
//   3. Through the Worker (`wrangler dev`, rate limit raised as the benchmark does):
//      POST /students/{id}/courses {"course_id"}, one enrollment per request.
//   4. Through the Worker: POST /students/{id}/courses {"course_ids"}, 8 courses per request
//      (a term's schedule), all or nothing.
//   5. SQLite alone: the same INSERT with node:sqlite on the same file, one transaction each
//      (run between 2 and 3, while nothing else has the file open; serial by nature).
// Prints enrollments per second (201s, or rows, over the burst's wall time), p50 and p99 per
// call, and the status codes.
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { startBenchWorker } from "../bench/worker.js";
import { localD1File, openLocalD1 } from "./local-d1.js";

/** @typedef {import("@cloudflare/workers-types").D1Database} D1Database */

const { values: options } = parseArgs({
  options: {
    enrollments: { type: "string", default: "4000" },
    concurrency: { type: "string", default: "32" },
    students: { type: "string", default: "20000" },
    courses: { type: "string", default: "200" },
  },
});
const total = Number(options.enrollments);
const concurrency = Number(options.concurrency);
const students = Number(options.students);
const courses = Number(options.courses);
const PER_REQUEST = 8;
if (total > students) throw new Error("--enrollments must not exceed --students");
if (courses < 4 + PER_REQUEST || courses % 97 === 0) {
  throw new Error("--courses must be at least 12 and not a multiple of 97");
}
const TOKEN = "burst-token";

/** Student s's k-th course: distinct for each k below the course count (97 is prime). */
const course = (/** @type {number} */ s, /** @type {number} */ k) =>
  ((s * 7 + k * 97) % courses) + 1;

/**
 * Runs `call(i)` for i = 0 … n - 1, `concurrency` at a time; answers the wall time and each
 * call's latency and outcome.
 * @param {number} n
 * @param {(i: number) => Promise<string>} call
 */
async function burst(n, call) {
  /** @type {number[]} */
  const latencies = [];
  /** @type {Record<string, number>} */
  const outcomes = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        const t = performance.now();
        const outcome = await call(i).catch(
          (/** @type {Error} */ error) => `error: ${error.message}`,
        );
        latencies.push(performance.now() - t);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (/** @type {number} */ q) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { seconds, p50: at(0.5), p99: at(0.99), outcomes };
}

const state = mkdtempSync(join(tmpdir(), "write-burst-"));
try {
  const { db, dispose } = await openLocalD1(state);
  const range = "WITH RECURSIVE seq(n) AS (SELECT ?1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?2)";
  await db
    .prepare(
      `INSERT INTO students (name, email) ${range} SELECT printf('Given%07d Family', n), printf('given.family%07d@district.example.org', n) FROM seq`,
    )
    .bind(1, students)
    .run();
  await db
    .prepare(
      `INSERT INTO courses (code, title) ${range} SELECT printf('CRS%07d', n), printf('Course title number %07d', n) FROM seq`,
    )
    .bind(1, courses)
    .run();

  const insert = db.prepare("INSERT INTO student_courses (student_id, course_id) VALUES (?, ?)");
  /** @type {{ name: string; enrollments: number; calls: number; seconds: number; p50: number; p99: number; outcomes: Record<string, number> }[]} */
  const results = [];
  process.stderr.write("1. D1 direct, one INSERT per call\n");
  results.push({
    name: "D1 direct: 1 INSERT per call",
    enrollments: total,
    calls: total,
    ...(await burst(total, async (i) => {
      const { meta } = await insert.bind(i + 1, course(i + 1, 0)).run();
      return `rows_written ${meta.rows_written}`;
    })),
  });
  process.stderr.write("2. D1 direct, 100 INSERTs per batch\n");
  const batches = Math.ceil(total / 100);
  results.push({
    name: "D1 direct: 100 INSERTs per batch()",
    enrollments: total,
    calls: batches,
    ...(await burst(batches, async (b) => {
      const rows = [];
      for (let s = b * 100 + 1; s <= Math.min(total, b * 100 + 100); s++)
        rows.push(insert.bind(s, course(s, 1)));
      await db.batch(rows);
      return "ok";
    })),
  });
  await dispose();

  // The same INSERT on the same file with node:sqlite, one transaction each, one at a time:
  // SQLite and this disk alone, with no D1 layer, proxy or Worker in front.
  process.stderr.write(
    "5. SQLite alone (node:sqlite on the D1 file), one INSERT per transaction\n",
  );
  const sqlite = new DatabaseSync(localD1File(state));
  const sqliteInsert = sqlite.prepare(
    "INSERT INTO student_courses (student_id, course_id) VALUES (?, ?)",
  );
  // Serial: node:sqlite is synchronous, so concurrent callers would only queue behind each other.
  /** @type {number[]} */
  const sqliteLatencies = [];
  const sqliteStarted = performance.now();
  for (let i = 0; i < total; i++) {
    const t = performance.now();
    sqliteInsert.run(i + 1, course(i + 1, 3 + PER_REQUEST));
    sqliteLatencies.push(performance.now() - t);
  }
  sqliteLatencies.sort((a, b) => a - b);
  const sqliteBurst = {
    seconds: (performance.now() - sqliteStarted) / 1000,
    p50: sqliteLatencies[Math.floor(total * 0.5)] ?? 0,
    p99: sqliteLatencies[Math.floor(total * 0.99)] ?? 0,
    outcomes: { ok: total },
  };
  sqlite.close();

  const worker = await startBenchWorker({ persist: state, vars: { API_TOKEN: TOKEN } });
  try {
    const post = async (/** @type {number} */ s, /** @type {object} */ body) => {
      const response = await fetch(`${worker.origin}/students/${s}/courses`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      await response.arrayBuffer();
      return String(response.status);
    };
    // A few requests first, so that wrangler's first build and workerd's start are not timed.
    for (let s = students; s > students - 5; s--) await post(s, { course_id: course(s, 2) });
    process.stderr.write("3. Worker, one course per request\n");
    results.push({
      name: 'Worker: POST /students/{id}/courses {"course_id"}',
      enrollments: total,
      calls: total,
      ...(await burst(total, (i) => post(i + 1, { course_id: course(i + 1, 2) }))),
    });
    process.stderr.write(`4. Worker, ${PER_REQUEST} courses per request\n`);
    const requests = Math.ceil(total / PER_REQUEST);
    results.push({
      name: `Worker: POST /students/{id}/courses {"course_ids"} × ${PER_REQUEST}`,
      enrollments: requests * PER_REQUEST,
      calls: requests,
      ...(await burst(requests, (i) =>
        post(i + 1, {
          course_ids: Array.from({ length: PER_REQUEST }, (_, k) => course(i + 1, 3 + k)),
        }),
      )),
    });
  } finally {
    worker.stop();
  }
  results.push({
    name: "SQLite alone: 1 INSERT per transaction, serial",
    enrollments: total,
    calls: total,
    ...sqliteBurst,
  });

  console.log(
    `\n${total.toLocaleString()} enrollments per burst, ${concurrency} at a time; ${students.toLocaleString()} students, ${courses} courses; ${availableParallelism()} cores, load ${loadavg()[0]?.toFixed(2)}, Node ${process.version}`,
  );
  console.table(
    Object.fromEntries(
      results.map(({ name, enrollments, calls, seconds, p50, p99, outcomes }) => [
        name,
        {
          "enrollments/s": Math.round(enrollments / seconds),
          "calls/s": Math.round(calls / seconds),
          "p50 ms": Number(p50.toFixed(1)),
          "p99 ms": Number(p99.toFixed(1)),
          outcomes: Object.entries(outcomes)
            .map(([outcome, n]) => `${outcome}: ${n}`)
            .join(", "),
        },
      ]),
    ),
  );
} finally {
  rmSync(state, { recursive: true, force: true });
}
