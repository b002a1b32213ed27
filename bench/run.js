// `npm run bench [-- --scale large] [--duration 5] [--connections 10]`
// `npm run bench -- --peer <dir> [--rounds 3] [--duration 10] [--connections 16]
//   [--workloads read,write]`
//
// Load-tests the Worker as it runs locally: a fresh local D1 with the real migrations, a
// generated data set, `wrangler dev` (workerd) on loopback, and autocannon on every
// enrollment route, the change feed and the lists (first page and a deep page). Prints a
// table per route and writes the same figures to bench/results/<scale>.json. With --peer,
// runs the peer's two workloads against ours and the Worker in <dir> instead, interleaved,
// and prints the ratios (bench/peer.js). See docs/performance.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { openLocalD1 } from "../scripts/local-d1.js";
import { comparePeer } from "./peer.js";
import { startBenchWorker } from "./worker.js";

/** @typedef {import("@cloudflare/workers-types").D1Database} D1Database */
/** @typedef {import("@cloudflare/workers-types").D1PreparedStatement} D1PreparedStatement */

const SCALES = {
  default: { students: 1_000, courses: 200, enrollments: 20_000 },
  large: { students: 100_000, courses: 1_000, enrollments: 1_000_000 },
};

const { values: options } = parseArgs({
  options: {
    scale: { type: "string" },
    duration: { type: "string" },
    connections: { type: "string" },
    port: { type: "string", default: "8799" },
    peer: { type: "string" },
    rounds: { type: "string" },
    seed: { type: "string" },
    workloads: { type: "string" },
  },
});
if (options.peer !== undefined) {
  if (options.scale !== undefined) throw new Error("--peer uses the peer's data set: no --scale");
  const valid = await comparePeer({
    dir: options.peer,
    rounds: Number(options.rounds ?? 3),
    duration: Number(options.duration ?? 10),
    connections: Number(options.connections ?? 16),
    port: Number(options.port),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.workloads === undefined ? {} : { workloads: options.workloads.split(",") }),
  });
  process.exit(valid ? 0 : 1);
}
if ([options.rounds, options.seed, options.workloads].some((o) => o !== undefined)) {
  throw new Error("--rounds, --seed and --workloads go with --peer");
}
const args = {
  scale: options.scale ?? "default",
  duration: options.duration ?? "5",
  connections: options.connections ?? "10",
  port: options.port,
};
const scale = SCALES[/** @type {keyof typeof SCALES} */ (args.scale)];
if (!scale) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(", ")}`);
const perStudent = scale.enrollments / scale.students;
const TOKEN = "bench-token";

/** Student s takes courses course(s, 0) … course(s, perStudent - 1): distinct, since 97 and the course count are coprime. */
const course = (/** @type {number} */ s, /** @type {number} */ k) =>
  ((s * 7 + k * 97) % scale.courses) + 1;

function progress(
  /** @type {string} */ label,
  /** @type {number} */ done,
  /** @type {number} */ total,
) {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r${label.padEnd(12)} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}%  ${done.toLocaleString()}/${total.toLocaleString()}`,
  );
  if (done === total) process.stderr.write("\n");
}

/**
 * Runs `statement` over n = 1 … `total`, `chunk` at a time (one statement per chunk), showing
 * progress in rows: `rowsPerN` rows for each n.
 */
async function load(
  /** @type {string} */ label,
  /** @type {number} */ total,
  /** @type {number} */ chunk,
  /** @type {(from: number, to: number) => D1PreparedStatement} */ statement,
  rowsPerN = 1,
) {
  for (let from = 1; from <= total; from += chunk) {
    const to = Math.min(total, from + chunk - 1);
    await statement(from, to).run();
    progress(label, to * rowsPerN, total * rowsPerN);
  }
}

async function loadDataSet(/** @type {string} */ state) {
  const { db, dispose } = await openLocalD1(state);
  const range = "WITH RECURSIVE seq(n) AS (SELECT ?1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?2)";
  await load("students", scale.students, 20_000, (from, to) =>
    db
      .prepare(
        `INSERT INTO students (name, email) ${range} SELECT 'Student ' || n, 'student' || n || '@example.org' FROM seq`,
      )
      .bind(from, to),
  );
  await load("courses", scale.courses, 20_000, (from, to) =>
    db
      .prepare(
        `INSERT INTO courses (code, title) ${range} SELECT 'C' || n, 'Course ' || n FROM seq`,
      )
      .bind(from, to),
  );
  const studentsPerChunk = Math.max(1, Math.floor(50_000 / perStudent));
  await load(
    "enrollments",
    scale.students,
    studentsPerChunk,
    (from, to) =>
      db
        .prepare(
          `INSERT INTO student_courses (student_id, course_id)
         ${range}, k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ?3 - 1)
         SELECT n, ((n * 7 + i * 97) % ?4) + 1 FROM seq, k`,
        )
        .bind(from, to, perStudent, scale.courses),
    perStudent,
  );
  // Registration day: one more course, of 30 seats and an unlimited line, that the rush
  // scenario fills with students enrolling at once.
  const rushCourse = Number(
    await db
      .prepare(
        "INSERT INTO courses (code, title, capacity) VALUES ('RUSH-1', 'Registration rush', ?) RETURNING id",
      )
      .bind(RUSH_SEATS)
      .first("id"),
  );
  // The change feed's deep page starts here: 150 changes before the last one.
  const deepChange = await db
    .prepare("SELECT updated_at FROM student_courses ORDER BY updated_at DESC LIMIT 1 OFFSET 150")
    .first("updated_at");
  await dispose();
  return { deepChange: String(deepChange), rushCourse };
}

const RUSH_SEATS = 30;

/**
 * After the rush: exactly RUSH_SEATS students hold a seat, and the line holds everyone else
 * who enrolled, each at a place of their own, so that the positions are 1…n.
 */
async function checkRush(/** @type {string} */ state, /** @type {number} */ courseId) {
  const { db, dispose } = await openLocalD1(state);
  const counts = /** @type {{ seated: number; waiting: number; places: number } | null} */ (
    await db
      .prepare(
        `SELECT count(*) FILTER (WHERE waitlist_seq IS NULL) AS seated,
              count(waitlist_seq) AS waiting, count(DISTINCT waitlist_seq) AS places
         FROM student_courses WHERE course_id = ? AND status = 'active'`,
      )
      .bind(courseId)
      .first()
  );
  await dispose();
  const ok = counts?.seated === RUSH_SEATS && counts?.waiting === counts?.places;
  return { ...counts, ok };
}

const cursor = (/** @type {number} */ id) =>
  Buffer.from(JSON.stringify([id])).toString("base64url");
const random = (/** @type {number} */ n) => 1 + Math.floor(Math.random() * n);
const auth = { Authorization: `Bearer ${TOKEN}` };
const json = { ...auth, "Content-Type": "application/json" };

/** Each scenario builds the next request; counters walk through pairs so that each is used once. */
function scenarios(
  /** @type {{ deepChange: string; rushCourse: number }} */ { deepChange, rushCourse },
) {
  let fresh = 0;
  let dropped = 0;
  let rushing = 0;
  const nextPair = (/** @type {number} */ index, /** @type {number} */ firstK) => {
    const s = (index % scale.students) + 1;
    return [s, course(s, firstK + Math.floor(index / scale.students))];
  };
  const deepStudent = scale.students - 20;
  const deepCourse = scale.courses - 20;
  const rosterSize = scale.enrollments / scale.courses;
  return {
    "POST /students/{id}/courses (new)": () => {
      const [s, c] = nextPair(fresh++, perStudent);
      return {
        method: "POST",
        path: `/students/${s}/courses`,
        headers: json,
        body: JSON.stringify({ course_id: c }),
      };
    },
    "POST /students/{id}/courses (repeat)": () => {
      const s = random(scale.students);
      return {
        method: "POST",
        path: `/students/${s}/courses`,
        headers: json,
        body: JSON.stringify({ course_id: course(s, 0) }),
      };
    },
    "POST /students/{id}/courses (registration rush)": () => ({
      // Distinct students into one course of 30 seats: the first take them, the rest wait.
      // Past the last student a request repeats one (200, no change); the verdict counts them.
      method: "POST",
      path: `/students/${(rushing++ % scale.students) + 1}/courses`,
      headers: json,
      body: JSON.stringify({ course_id: rushCourse }),
    }),
    "GET /students/{id}/courses": () => ({
      method: "GET",
      path: `/students/${random(scale.students)}/courses`,
      headers: auth,
    }),
    "GET /students/{id}/courses/{course_id}": () => {
      const s = random(scale.students);
      return { method: "GET", path: `/students/${s}/courses/${course(s, 1)}`, headers: auth };
    },
    "DELETE /students/{id}/courses/{course_id}": () => {
      const [s, c] = nextPair(dropped++, 2);
      return { method: "DELETE", path: `/students/${s}/courses/${c}`, headers: auth };
    },
    "GET /courses/{id}/students (first page)": () => ({
      method: "GET",
      path: `/courses/${random(scale.courses)}/students`,
      headers: auth,
    }),
    "GET /courses/{id}/students (deep page)": () => ({
      method: "GET",
      // Past nearly every student of the course: the last pages of its roster.
      path: `/courses/${random(scale.courses)}/students?cursor=${cursor(scale.students - Math.ceil(scale.students / rosterSize) * 20)}`,
      headers: auth,
    }),
    "GET /enrollments (first page)": () => ({ method: "GET", path: "/enrollments", headers: auth }),
    "GET /enrollments (deep page)": () => ({
      method: "GET",
      // The last changes of the data set, past nearly all of them.
      path: `/enrollments?updated_since=${deepChange}`,
      headers: auth,
    }),
    "GET /students (first page)": () => ({ method: "GET", path: "/students", headers: auth }),
    "GET /students (deep page)": () => ({
      method: "GET",
      path: `/students?cursor=${cursor(deepStudent)}`,
      headers: auth,
    }),
    "GET /courses (first page)": () => ({ method: "GET", path: "/courses", headers: auth }),
    "GET /courses (deep page)": () => ({
      method: "GET",
      path: `/courses?cursor=${cursor(deepCourse)}`,
      headers: auth,
    }),
  };
}

async function measure(
  /** @type {string} */ origin,
  /** @type {string} */ name,
  /** @type {() => object} */ next,
) {
  const result = await autocannon({
    url: origin,
    connections: Number(args.connections),
    duration: Number(args.duration),
    requests: [{ setupRequest: (/** @type {object} */ req) => ({ ...req, ...next() }) }],
  });
  return {
    route: name,
    requests_per_s: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const state = mkdtempSync(join(tmpdir(), `bench-${args.scale}-`));
try {
  console.error(
    `Loading the ${args.scale} data set: ${Object.entries(scale)
      .map(([k, v]) => `${v.toLocaleString()} ${k}`)
      .join(", ")}`,
  );
  const loaded = await loadDataSet(state);
  const worker = await startBenchWorker({
    persist: state,
    port: Number(args.port),
    vars: { API_TOKEN: TOKEN },
  });
  const rows = [];
  try {
    for (const [name, next] of Object.entries(scenarios(loaded))) {
      process.stderr.write(`Measuring ${name} for ${args.duration} s…\n`);
      rows.push(await measure(worker.origin, name, next));
    }
  } finally {
    worker.stop();
  }
  console.log(
    `\n${args.scale} scale, ${args.connections} connections, ${args.duration} s per route, ${availableParallelism()} cores, Node ${process.version}`,
  );
  console.table(Object.fromEntries(rows.map(({ route, ...figures }) => [route, figures])));
  // Read once the Worker has stopped, so that nothing else holds the database.
  const answered = rows.find(({ route }) => route.endsWith("(registration rush)"))?.requests ?? 0;
  const rush = {
    ...(await checkRush(state, loaded.rushCourse)),
    repeats: Math.max(0, answered - scale.students),
  };
  console.log(
    `Registration rush: ${rush.seated} seated (of ${RUSH_SEATS}), ${rush.waiting} waiting at ${rush.places} distinct places: ${rush.ok ? "exact" : "NOT EXACT"}${rush.repeats ? ` (${rush.repeats} requests past the ${scale.students} students repeated one: shorten --duration or use --scale large)` : ""}`,
  );
  if (!rush.ok) process.exitCode = 1;
  mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/${args.scale}.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ scale: args.scale, data: scale, connections: Number(args.connections), duration_s: Number(args.duration), date: new Date().toISOString(), routes: rows, registration_rush: rush }, null, 2)}\n`,
  );
  console.log(`Written to ${file}`);
} finally {
  rmSync(state, { recursive: true, force: true });
}
