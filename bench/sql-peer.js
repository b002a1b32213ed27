// Makes a copy of the referee that sends our SQL: the referee's Worker (no framework, the same
// platform work on every request), with our migrations and its enroll and drop sending the
// statements ours sends (bench/our-sql.js), answering from their rows as ours does. Run beside
// ours, it tells our code's cost (ours ÷ this copy) from our SQL's (this copy ÷ the referee):
//
//   npm run bench:sql-peer -- <out-dir> [--referee /work/shared/peers/bare-worker-full]
//   npm run bench -- --peer <out-dir> --seed /work/shared/peers/seed.mjs --workloads write
//
// The copy's list stays the referee's. <out-dir> is replaced.
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { COURSE_ID, ourStatements, STUDENT_ID } from "./our-sql.js";

const { values: options, positionals } = parseArgs({
  options: { referee: { type: "string", default: "/work/shared/peers/bare-worker-full" } },
  allowPositionals: true,
});
const [out] = positionals;
if (!out) {
  console.error("usage: npm run bench:sql-peer -- <out-dir> [--referee <dir>]");
  process.exit(2);
}

/** A recorded statement as a bound D1 call in the copy: the ids become its variables. */
function bound(/** @type {import("./our-sql.js").Statement} */ { sql, params }) {
  const args = params.map((value) =>
    value === STUDENT_ID ? "studentId" : value === COURSE_ID ? "courseId" : JSON.stringify(value),
  );
  return `env.DB.prepare(${JSON.stringify(sql)}).bind(${args.join(", ")})`;
}

const { enroll, drop } = await ourStatements();
if (enroll.length !== 2 || drop.length !== 3) {
  throw new Error("an enroll is no longer 2 statements, or a drop 3: update bench/sql-peer.js");
}

// What ours answers from the same rows (src/enrollments/queries.ts), without the waitlist's
// fields, which the referee's answers do not have.
const handlers = `// Our SQL (bench/sql-peer.js): an enroll's state before and upsert, a drop's three statements.
async function enroll(env, studentId, request) {
  let body;
  try {
    body = await request.json();
  } catch {
    return error(400, "body must be JSON");
  }
  const courseId = body && body.course_id;
  if (!Number.isSafeInteger(courseId) || courseId < 1) return error(400, "course_id must be a positive integer");
  const [before, written] = await env.DB.batch([${enroll.map(bound).join(", ")}]);
  const state = before.results[0];
  if (!state) return error(404, "student not found");
  if (state.id === null) return error(404, "course not found");
  const row = written.results[0];
  const course = { student_id: studentId, course_id: courseId, code: state.code, title: state.title };
  if (row) return json(201, enrollment({ ...course, ...row, status: "active" }));
  if (state.status === "active") return json(200, enrollment({ ...course, ...state }));
  return error(409, "course full");
}

async function drop(env, studentId, courseId) {
  const [student, dropped] = await env.DB.batch([${drop.map(bound).join(", ")}]);
  if (student.results.length === 0) return error(404, "student not found");
  return dropped.results.length ? new Response(null, { status: 204 }) : error(404, "enrollment not found");
}

`;

const referee = options.referee;
const source = readFileSync(join(referee, "src", "index.js"), "utf8");
const start = source.indexOf("// Insert or re-activate only");
const end = source.indexOf("async function handle(");
if (start < 0 || end < start) throw new Error(`no enroll and drop to replace in ${referee}`);

rmSync(out, { recursive: true, force: true });
cpSync(referee, out, { recursive: true, filter: (path) => !/node_modules|\.wrangler/.test(path) });
writeFileSync(join(out, "src", "index.js"), source.slice(0, start) + handlers + source.slice(end));
rmSync(join(out, "migrations"), { recursive: true });
cpSync(fileURLToPath(new URL("../migrations", import.meta.url)), join(out, "migrations"), {
  recursive: true,
});
const config = join(out, "wrangler.toml");
writeFileSync(
  config,
  readFileSync(config, "utf8").replace(/^name = .*$/m, 'name = "referee-with-our-sql"'),
);
console.log(`${out}: the referee with our migrations and our enroll and drop SQL`);
