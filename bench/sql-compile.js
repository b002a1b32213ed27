// How long SQLite takes to compile each statement an enroll, a drop and a list send
// (docs/performance.md, "Where the write's last tenth goes"). Locally, miniflare's D1 prepares
// every statement anew on every call, and SQLite compiles into a statement the triggers it can
// fire, so this is part of every request's CPU under `wrangler dev`.
//
//   npm run bench:sql [-- --peer <worker-dir>] [--rounds 9] [--prepares 500]
//
// The SQL is the routes' own (bench/our-sql.js). Each statement is prepared with
// node:sqlite on our migrations, on the same without the enrollments' triggers (their share),
// and, with --peer, the referee's statements (its `const NAME = \`…\`` SQL) on its own
// migrations: µs per prepare, the median of the rounds. Node's SQLite is not workerd's: read
// the ratios, and the absolute figures only beside each other.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { median } from "../scripts/median.js";
import { ourStatements } from "./our-sql.js";

const { values: options } = parseArgs({
  options: {
    peer: { type: "string" },
    rounds: { type: "string", default: "9" },
    prepares: { type: "string", default: "500" },
  },
});
const ROUNDS = Number(options.rounds);
const PREPARES = Number(options.prepares);

/** The referee's statements: the template literals its source names in capitals. */
function peerStatements(/** @type {string} */ dir) {
  const source = readFileSync(join(dir, "src", "index.js"), "utf8");
  return Object.fromEntries(
    [...source.matchAll(/const ([A-Z_]+) = `([^`]+)`/g)].map(([, name, sql]) => [name, sql]),
  );
}

/** An in-memory database with a Worker's migrations applied in order. */
function migrated(/** @type {string} */ dir) {
  const db = new DatabaseSync(":memory:");
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    db.exec(readFileSync(join(dir, file), "utf8"));
  }
  return db;
}

/** µs per prepare of `sql` on `db`: the median of the rounds. */
function compileMicros(/** @type {DatabaseSync} */ db, /** @type {string} */ sql) {
  for (let i = 0; i < 100; i++) db.prepare(sql);
  const rounds = Array.from({ length: ROUNDS }, () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < PREPARES; i++) db.prepare(sql);
    return Number(process.hrtime.bigint() - start) / PREPARES / 1000;
  });
  return median(rounds);
}

const ours = migrated("migrations");
const untriggered = migrated("migrations");
const triggers = untriggered
  .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'student_courses'")
  .all();
for (const { name } of triggers) untriggered.exec(`DROP TRIGGER "${name}"`);

const rows = [];
const total = { ours: 0, untriggered: 0 };
for (const [route, list] of Object.entries(await ourStatements())) {
  for (const [i, { sql }] of list.entries()) {
    const withTriggers = compileMicros(ours, sql);
    const without = compileMicros(untriggered, sql);
    if (route !== "list") {
      total.ours += withTriggers;
      total.untriggered += without;
    }
    rows.push([`${route} ${i + 1}/${list.length}`, sql.slice(0, 48), withTriggers, without]);
  }
}
console.log(
  `µs per prepare (node:sqlite ${process.versions.sqlite}, median of ${ROUNDS} rounds of ${PREPARES})\n`,
);
console.log("| statement | SQL | ours | without the enrollments' triggers |");
console.log("| --- | --- | ---: | ---: |");
for (const [name, sql, a, b] of rows) {
  console.log(`| ${name} | \`${sql}…\` | ${Number(a).toFixed(1)} | ${Number(b).toFixed(1)} |`);
}
console.log(
  `| an enroll and a drop | | ${total.ours.toFixed(1)} | ${total.untriggered.toFixed(1)} |`,
);

if (options.peer !== undefined) {
  const peer = migrated(join(options.peer, "migrations"));
  let sum = 0;
  console.log(`\nThe peer's statements on its own migrations (${options.peer}):\n`);
  console.log("| statement | µs |\n| --- | ---: |");
  for (const [name, sql] of Object.entries(peerStatements(options.peer))) {
    const micros = compileMicros(peer, sql);
    if (name !== "LIST") sum += micros;
    console.log(`| ${name} | ${micros.toFixed(1)} |`);
  }
  console.log(`| all but LIST | ${sum.toFixed(1)} |`);
}
