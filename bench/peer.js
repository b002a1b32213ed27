// `npm run bench -- --peer <dir> [--rounds 3] [--duration 10] [--connections 16] [--seed FILE]
//   [--workloads read,write]`
//
// Our Worker against another Worker directory (the referee, shared/peers/bare-worker-full, or
// any Worker with the same three enrollment routes), side by side: both on one data set (the
// peer's seed.mjs, so student 1 has exactly 20 active enrollments), both under `wrangler dev`
// on loopback with the rate limit raised, and the peer's two workloads run against each in
// turn, ours then the peer, round after round. On one noisy machine an absolute figure means
// little; the ratio of two figures measured side by side holds. Prints a table per workload
// (each round and the median) and writes the same figures to bench/results/peer-<time>.json.
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import autocannon from "autocannon";
import { median } from "../scripts/median.js";
import { startBenchWorker } from "./worker.js";

/** seed.mjs's default data set, passed explicitly: the write pairs below rely on it. */
const DATA = { students: 1_000, courses: 200, enrollments: 10_000 };
/** The write workload's student/course pairs: students 2…401, one course each. */
const PAIRS = { firstStudent: 2, count: 400 };
const pairCourse = (/** @type {number} */ s) => ((s - PAIRS.firstStudent) % DATA.courses) + 1;
const READ_PATH = "/students/1/courses?limit=20";
/** Seconds of each workload on each target before the first round, not counted. */
const WARMUP_S = 2;
const OUR_TOKEN = "bench-token";

/**
 * @typedef {object} Target
 * @property {string} name
 * @property {string} origin
 * @property {string} token
 * @property {number} processGroup
 */

/**
 * @typedef {object} Figures one workload on one target for one round.
 * @property {number} requests_per_s
 * @property {number} p50_ms
 * @property {number} p99_ms
 * @property {number} requests
 * @property {number} non_2xx
 * @property {number} errors connection errors and timeouts
 * @property {Record<string, number>} statuses the count of each status code
 * @property {number | null} cpu_ms the target's CPU time during the round (null: no /proc)
 * @property {number | null} cpu_ms_per_request
 * @property {Record<string, number> | null} cpu_ms_per_request_by_process the same, by process
 */

/**
 * @typedef {object} Workload
 * @property {string} describe
 * @property {(target: Target, connections: number) => import("autocannon").Options} options
 */

/** @type {Record<"read" | "write", Workload>} */
const WORKLOADS = {
  read: {
    describe: `GET ${READ_PATH}`,
    options: (target) => ({ url: `${target.origin}${READ_PATH}`, headers: auth(target) }),
  },
  write: {
    describe: `each connection owns its share of ${PAIRS.count} student/course pairs (students ${PAIRS.firstStudent}…${PAIRS.firstStudent + PAIRS.count - 1}) and enrolls and drops them in turn: POST, DELETE, next pair`,
    options: (target, connections) => ({
      url: target.origin,
      setupClient: ownPairs(target, connections),
    }),
  },
};

const auth = (/** @type {Target} */ target) => ({ Authorization: `Bearer ${target.token}` });

/**
 * Gives each connection its own slice of the pairs and has it enroll and drop them in turn:
 * POST pair 1, DELETE pair 1, POST pair 2, … and round again. The referee's README sends all
 * the POSTs of a slice, then all its DELETEs; at a few requests per second per connection, a
 * short round would end before the first DELETE and the next round would POST pairs already
 * active (200, nothing written). Alternating pair by pair keeps the mix half POST (each one
 * re-enrolling a dropped pair: 201) and half DELETE (each one dropping an active pair: 204)
 * however many requests a round gets to send, and leaves at most one pair per connection
 * active between rounds.
 */
function ownPairs(/** @type {Target} */ target, /** @type {number} */ connections) {
  const json = { ...auth(target), "Content-Type": "application/json" };
  let next = 0;
  return (/** @type {import("autocannon").Client} */ client) => {
    const i = next++ % connections;
    const from = PAIRS.firstStudent + Math.floor((i * PAIRS.count) / connections);
    const to = PAIRS.firstStudent + Math.floor(((i + 1) * PAIRS.count) / connections);
    const students = Array.from({ length: to - from }, (_, k) => from + k);
    client.setRequests(
      students.flatMap((s) => [
        {
          method: /** @type {const} */ ("POST"),
          path: `/students/${s}/courses`,
          headers: json,
          body: JSON.stringify({ course_id: pairCourse(s) }),
        },
        {
          method: /** @type {const} */ ("DELETE"),
          path: `/students/${s}/courses/${pairCourse(s)}`,
          headers: auth(target),
        },
      ]),
    );
  };
}

/** The length of a clock tick in ms: /proc/<pid>/stat counts CPU time in ticks. */
const TICK_MS = existsSync("/proc/self/stat")
  ? 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim())
  : null;

/**
 * The CPU time (user + system) of every process in a process group so far, in ms, including
 * the children they have waited for, by what each process is: the workerd that runs the
 * Worker with its local bindings, the workerd of wrangler's proxy in front of it, wrangler
 * itself (Node), and whatever else they started.
 * @returns {Record<string, number> | null} null where there is no /proc
 */
function groupCpuMs(/** @type {number} */ group) {
  if (TICK_MS === null) return null;
  /** @type {Record<string, number>} */
  const byProcess = {};
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    let commandLine;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // After "pid (comm) ": state, ppid, pgrp, … utime, stime, cutime, cstime (fields 14–17).
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) !== group) continue;
      commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue; // it ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const name = processName(stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), commandLine);
    const ticks = [11, 12, 13, 14].reduce((total, index) => total + Number(fields[index]), 0);
    byProcess[name] = (byProcess[name] ?? 0) + ticks * TICK_MS;
  }
  return byProcess;
}

/** What a process of a `wrangler dev` group is, from its name and command line. */
function processName(/** @type {string} */ comm, /** @type {string} */ commandLine) {
  // Of the two runtimes, only the one that runs the Worker is started with an inspector.
  if (comm === "workerd") {
    return commandLine.includes("--inspector-addr")
      ? "workerd: the Worker, D1 and bindings"
      : "workerd: wrangler's proxy";
  }
  if (comm === "MainThread" || comm === "node") return "wrangler (Node)";
  return comm;
}

const sum = (/** @type {Record<string, number>} */ byProcess) =>
  Object.values(byProcess).reduce((total, ms) => total + ms, 0);

async function measure(
  /** @type {Target} */ target,
  /** @type {Workload} */ workload,
  /** @type {number} */ duration,
  /** @type {number} */ connections,
) {
  const before = groupCpuMs(target.processGroup);
  const result = await autocannon({
    ...workload.options(target, connections),
    connections,
    duration,
  });
  const after = groupCpuMs(target.processGroup);
  const cpu = before === null || after === null ? null : sum(after) - sum(before);
  const requests = result.requests.total;
  const byProcess =
    before === null || after === null || requests === 0
      ? null
      : Object.fromEntries(
          Object.entries(after).map(([name, ms]) => [name, (ms - (before[name] ?? 0)) / requests]),
        );
  /** @type {Figures} */
  const figures = {
    requests_per_s: result.requests.average,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count ?? 0]),
    ),
    cpu_ms: cpu,
    cpu_ms_per_request: cpu === null || requests === 0 ? null : cpu / requests,
    cpu_ms_per_request_by_process: byProcess,
  };
  return figures;
}

/** The median of the values that are there; null when none is. */
const medianOf = (/** @type {(number | null)[]} */ values) => {
  const present = values.filter((v) => v !== null);
  return present.length ? median(present) : null;
};
const ratio = (/** @type {number | null} */ ours, /** @type {number | null} */ peer) =>
  ours === null || peer === null || peer === 0 ? null : ours / peer;

/**
 * Copies the peer to `work` (shared/ is read-only, and wrangler writes next to its config) with
 * the packages it needs: its own node_modules if it has them; ours if all it asks for is the
 * wrangler we have (then both run on the same wrangler and workerd); else `npm install`.
 */
function preparePeer(/** @type {string} */ dir, /** @type {string} */ work) {
  const copy = join(work, basename(dir));
  const skip = new Set([join(dir, "node_modules"), join(dir, ".wrangler")]);
  cpSync(dir, copy, { recursive: true, filter: (source) => !skip.has(source) });
  const modules = join(copy, "node_modules");
  if (existsSync(join(dir, "node_modules"))) {
    symlinkSync(realpathSync(join(dir, "node_modules")), modules);
    return `its own (${dir}/node_modules)`;
  }
  /** @type {{ dependencies?: Record<string, string>; devDependencies?: Record<string, string> }} */
  const manifest = existsSync(join(dir, "package.json"))
    ? JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
    : {};
  const wanted = { ...manifest.dependencies, ...manifest.devDependencies };
  const ours = wranglerVersion(".");
  const onlyWrangler = Object.keys(wanted).every((name) => ["wrangler", "node"].includes(name));
  if (onlyWrangler && (wanted.wrangler ?? ours).replace(/^[\^~=]/, "") === ours) {
    symlinkSync(realpathSync("node_modules"), modules);
    return `ours (all it asks for is wrangler ${wanted.wrangler ?? "of any version"})`;
  }
  process.stderr.write(`npm install in the copy of ${dir}…\n`);
  execFileSync("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: copy,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return "its own, installed in the copy";
}

function wranglerVersion(/** @type {string} */ dir) {
  try {
    const file = join(dir, "node_modules", "wrangler", "package.json");
    return String(JSON.parse(readFileSync(file, "utf8")).version);
  } catch {
    return "unknown";
  }
}

/** The peer's token: API_TOKEN in its wrangler.toml's [vars]. */
function peerToken(/** @type {string} */ dir) {
  const token = readFileSync(join(dir, "wrangler.toml"), "utf8").match(
    /^\s*API_TOKEN\s*=\s*"([^"]+)"/m,
  )?.[1];
  if (!token) throw new Error(`no API_TOKEN in ${dir}/wrangler.toml's [vars]`);
  return token;
}

/** Loads the seed's data set into a Worker's local D1 in `state`, after its own migrations. */
function seed(
  /** @type {string} */ script,
  /** @type {string} */ dir,
  /** @type {string} */ state,
) {
  const sizes = Object.entries(DATA).flatMap(([name, n]) => [`--${name}`, String(n)]);
  execFileSync(
    process.execPath,
    [script, "d1", dir, "--migrate", "--persist-to", state, ...sizes],
    { stdio: ["ignore", process.stderr, "inherit"] },
  );
}

/** Student 1's active courses, as the read workload gets them: both targets must agree. */
async function studentOneCourses(/** @type {Target} */ target) {
  const response = await fetch(`${target.origin}${READ_PATH}`, { headers: auth(target) });
  const body = /** @type {{ data?: { course_id: number }[] }} */ (
    await response.json().catch(() => ({}))
  );
  const ids = body.data?.map((e) => e.course_id) ?? [];
  if (response.status !== 200 || ids.length !== 20) {
    throw new Error(
      `${target.name}: GET ${READ_PATH} answered ${response.status} with ${ids.length} enrollments, not 200 with 20`,
    );
  }
  return ids.join(",");
}

/** A Markdown table, its columns padded. */
function printTable(/** @type {string[]} */ head, /** @type {string[][]} */ rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (/** @type {string[]} */ cells) =>
    `| ${cells.map((c, i) => (i ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(" | ")} |`;
  console.log(line(head));
  console.log(
    `| ${widths.map((w, i) => (i ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`,
  );
  for (const row of rows) console.log(line(row));
}

/**
 * Where each target's CPU per request went, by process (the medians of the rounds), and the
 * difference: which part of the stack a gap between the two is in.
 * @param {{ ours: Figures; peer: Figures }[]} list
 */
function printByProcess(list) {
  /** @param {"ours" | "peer"} who @param {string} name */
  const of = (who, name) =>
    medianOf(list.map((r) => r[who].cpu_ms_per_request_by_process?.[name] ?? null));
  const names = [
    ...new Set(
      list.flatMap((r) => [
        ...Object.keys(r.ours.cpu_ms_per_request_by_process ?? {}),
        ...Object.keys(r.peer.cpu_ms_per_request_by_process ?? {}),
      ]),
    ),
  ].sort();
  if (names.length === 0) return;
  console.log("\nCPU ms per request by process (medians of the rounds):\n");
  printTable(
    ["process", "ours", "peer", "ours − peer"],
    names.map((name) => {
      const [o, p] = [of("ours", name), of("peer", name)];
      return [name, fixed(o), fixed(p), fixed(o === null || p === null ? null : o - p)];
    }),
  );
}

const fixed = (/** @type {number | null} */ n, digits = 2) =>
  n === null ? "n/a" : n.toFixed(digits);

/**
 * @typedef {object} PeerOptions
 * @property {string} dir the other Worker's directory, with its wrangler.toml
 * @property {number} rounds
 * @property {number} duration seconds per workload, per target, per round
 * @property {number} connections
 * @property {number} port our Worker's port (the peer's is a free one)
 * @property {string} [seed] the data set's script. Default: seed.mjs in dir or next to it.
 * @property {string[]} [workloads] which of read and write to run. Default: both.
 */

/**
 * Runs the comparison; resolves to whether every request of every round got a 2xx.
 * @param {PeerOptions} options
 */
export async function comparePeer({
  dir,
  rounds,
  duration,
  connections,
  port,
  seed: seedFile,
  workloads: wanted = Object.keys(WORKLOADS),
}) {
  const workloads = /** @type {(keyof typeof WORKLOADS)[]} */ (
    wanted.filter((name) => name in WORKLOADS)
  );
  if (workloads.length === 0 || workloads.length < wanted.length) {
    throw new Error(`--workloads: a list of ${Object.keys(WORKLOADS).join(", ")}`);
  }
  for (const [name, n] of Object.entries({ rounds, duration, connections })) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  }
  if (connections > PAIRS.count) throw new Error(`--connections: at most ${PAIRS.count}`);
  const peerDir = resolve(dir);
  if (!existsSync(join(peerDir, "wrangler.toml"))) {
    throw new Error(`no wrangler.toml in ${peerDir}`);
  }
  const script =
    seedFile === undefined
      ? [join(peerDir, "seed.mjs"), join(dirname(peerDir), "seed.mjs")].find((f) => existsSync(f))
      : resolve(seedFile);
  if (!script || !existsSync(script)) {
    throw new Error(`no seed: pass --seed FILE, or put seed.mjs in or next to ${peerDir}`);
  }

  const work = mkdtempSync(join(tmpdir(), "bench-peer-"));
  /** @type {{ stop: () => void }[]} */
  const started = [];
  try {
    const copy = join(work, basename(peerDir));
    const modules = preparePeer(peerDir, work);
    // seed.mjs writes its SQL next to itself: a copy, so that it can.
    const seedCopy = join(work, "seed", basename(script));
    mkdirSync(dirname(seedCopy));
    cpSync(script, seedCopy);
    const states = { ours: join(work, "state-ours"), peer: join(work, "state-peer") };
    process.stderr.write(`Loading ${basename(script)}'s data set into both local D1s…\n`);
    seed(seedCopy, process.cwd(), states.ours);
    seed(seedCopy, copy, states.peer);

    const ours = await startBenchWorker({
      persist: states.ours,
      port,
      vars: { API_TOKEN: OUR_TOKEN },
    });
    started.push(ours);
    const token = peerToken(copy);
    const peer = await startBenchWorker({
      persist: states.peer,
      dir: copy,
      vars: { API_TOKEN: token },
    });
    started.push(peer);
    /** @type {[Target, Target]} */
    const targets = [
      { name: "ours", origin: ours.origin, token: OUR_TOKEN, processGroup: ours.processGroup },
      { name: basename(peerDir), origin: peer.origin, token, processGroup: peer.processGroup },
    ];
    const [ourCourses, peerCourses] = await Promise.all(targets.map(studentOneCourses));
    if (ourCourses !== peerCourses) {
      throw new Error(`student 1's courses differ: ours ${ourCourses}, peer ${peerCourses}`);
    }

    process.stderr.write(`Warming up: ${WARMUP_S} s of each workload on each target…\n`);
    for (const name of workloads) {
      for (const target of targets) {
        const { non_2xx, errors, statuses } = await measure(
          target,
          WORKLOADS[name],
          WARMUP_S,
          connections,
        );
        if (non_2xx || errors) {
          throw new Error(
            `${target.name} answered the ${name} workload with ${JSON.stringify(statuses)} and ${errors} errors: the workload does not fit it`,
          );
        }
      }
    }

    /** @type {Record<string, { round: number; ours: Figures; peer: Figures; ratios: { requests_per_s: number | null; cpu_ms_per_request: number | null } }[]>} */
    const results = Object.fromEntries(workloads.map((name) => [name, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const name of workloads) {
        process.stderr.write(
          `Round ${round}/${rounds}: ${name}, ours then the peer, ${duration} s each…\n`,
        );
        const [a, b] = targets;
        const oursFigures = await measure(a, WORKLOADS[name], duration, connections);
        const peerFigures = await measure(b, WORKLOADS[name], duration, connections);
        results[name]?.push({
          round,
          ours: oursFigures,
          peer: peerFigures,
          ratios: {
            requests_per_s: ratio(oursFigures.requests_per_s, peerFigures.requests_per_s),
            cpu_ms_per_request: ratio(
              oursFigures.cpu_ms_per_request,
              peerFigures.cpu_ms_per_request,
            ),
          },
        });
      }
    }

    const valid = Object.values(results).every((list) =>
      list.every(
        ({ ours, peer }) => !ours.non_2xx && !ours.errors && !peer.non_2xx && !peer.errors,
      ),
    );
    const summary = Object.fromEntries(
      Object.entries(results).map(([name, list]) => {
        const side = (/** @type {"ours" | "peer"} */ who) => ({
          requests_per_s: median(list.map((r) => r[who].requests_per_s)),
          p50_ms: median(list.map((r) => r[who].p50_ms)),
          p99_ms: median(list.map((r) => r[who].p99_ms)),
          cpu_ms_per_request: medianOf(list.map((r) => r[who].cpu_ms_per_request)),
          non_2xx: list.reduce((sum, r) => sum + r[who].non_2xx + r[who].errors, 0),
        });
        return [
          name,
          {
            ours: side("ours"),
            peer: side("peer"),
            ratios: {
              requests_per_s: medianOf(list.map((r) => r.ratios.requests_per_s)),
              cpu_ms_per_request: medianOf(list.map((r) => r.ratios.cpu_ms_per_request)),
            },
          },
        ];
      }),
    );

    console.log(
      `\nours vs peer = ${targets[1].name} (${peerDir}): ${connections} connections, ${duration} s per workload per Worker per round, ${rounds} round${rounds === 1 ? "" : "s"} interleaved (ours, peer, ours, peer…); ${availableParallelism()} cores, Node ${process.version}; wrangler ${wranglerVersion(".")} (ours) and ${wranglerVersion(copy)} (the peer's node_modules: ${modules})`,
    );
    console.log(
      "CPU ms/req: CPU time (user + sys) of the target's whole process group (wrangler, workerd and children, /proc/<pid>/stat) during the round ÷ requests served. Ratios are ours ÷ peer, per round; the median row holds the medians of the rounds' figures and ratios. Not 2xx: other answers, connection errors and timeouts (any makes the run invalid).",
    );
    for (const name of workloads) {
      const list = results[name] ?? [];
      const total = summary[name];
      console.log(`\n${name}: ${WORKLOADS[name].describe}\n`);
      /** @param {string} label @param {Omit<Figures, "requests" | "errors" | "statuses" | "cpu_ms" | "cpu_ms_per_request_by_process">} o @param {typeof o} p @param {{ requests_per_s: number | null; cpu_ms_per_request: number | null }} r */
      const row = (label, o, p, r) => [
        label,
        fixed(o.requests_per_s, 0),
        fixed(p.requests_per_s, 0),
        fixed(r.requests_per_s),
        fixed(o.cpu_ms_per_request),
        fixed(p.cpu_ms_per_request),
        fixed(r.cpu_ms_per_request),
        `${o.p50_ms} / ${o.p99_ms}`,
        `${p.p50_ms} / ${p.p99_ms}`,
        `${o.non_2xx} / ${p.non_2xx}`,
      ];
      printTable(
        [
          "round",
          "ours req/s",
          "peer req/s",
          "req/s ours÷peer",
          "ours CPU ms/req",
          "peer CPU ms/req",
          "CPU/req ours÷peer",
          "ours p50 / p99 ms",
          "peer p50 / p99 ms",
          "not 2xx ours / peer",
        ],
        [
          ...list.map(({ round, ours, peer, ratios }) =>
            row(
              String(round),
              { ...ours, non_2xx: ours.non_2xx + ours.errors },
              { ...peer, non_2xx: peer.non_2xx + peer.errors },
              ratios,
            ),
          ),
          ...(total ? [row("median", total.ours, total.peer, total.ratios)] : []),
        ],
      );
      const statuses = (/** @type {"ours" | "peer"} */ who) => {
        /** @type {Record<string, number>} */
        const sum = {};
        for (const r of list) {
          for (const [code, n] of Object.entries(r[who].statuses)) sum[code] = (sum[code] ?? 0) + n;
        }
        return Object.entries(sum)
          .map(([code, n]) => `${n} × ${code}`)
          .join(", ");
      };
      console.log(`\nanswers over the rounds: ours ${statuses("ours")}; peer ${statuses("peer")}`);
      printByProcess(list);
    }
    console.log(
      valid
        ? "\nEvery request of every round got a 2xx from both targets."
        : "\nNOT VALID: some requests got no 2xx (see non-2xx): the workload does not fit a target.",
    );

    mkdirSync("bench/results", { recursive: true });
    const date = new Date();
    const file = `bench/results/peer-${date
      .toISOString()
      .replace(/\.\d+Z$/, "Z")
      .replaceAll(":", "-")}.json`;
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          date: date.toISOString(),
          peer: { name: targets[1].name, dir: peerDir, node_modules: modules },
          data_set: { ...DATA, seed: script },
          workloads: Object.fromEntries(workloads.map((name) => [name, WORKLOADS[name].describe])),
          connections,
          duration_s: duration,
          rounds,
          warmup_s: WARMUP_S,
          cores: availableParallelism(),
          node: process.version,
          wrangler: { ours: wranglerVersion("."), peer: wranglerVersion(copy) },
          cpu: "user + sys time of the target's process group (wrangler, workerd, children; /proc/<pid>/stat fields 14-17) during the round",
          valid,
          results: Object.fromEntries(
            workloads.map((name) => [name, { rounds: results[name], median: summary[name] }]),
          ),
        },
        null,
        2,
      )}\n`,
    );
    console.log(`Written to ${file}`);
    return valid;
  } finally {
    for (const worker of started) worker.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
