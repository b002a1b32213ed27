// The SQL our enrollment routes send, taken from src/enrollments/queries.ts itself: the
// queries run on a D1 stand-in that records each statement and the values bound to it (Node 24
// strips the types). Used by bench/sql-compile.js and bench/sql-peer.js.
import { registerHooks } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The ids the routes are called with here, so that a recorded value can be told for one. */
export const STUDENT_ID = 1001;
export const COURSE_ID = 2002;

// src/ imports without extensions, as bundlers resolve them; Node needs the `.ts`.
registerHooks({
  resolve(specifier, context, next) {
    if (specifier.startsWith(".") && context.parentURL?.endsWith(".ts")) {
      return next(new URL(`${specifier}.ts`, context.parentURL).href, context);
    }
    return next(specifier, context);
  },
});

/** @typedef {{ sql: string; params: unknown[] }} Statement */

/**
 * The statements of an enroll in one course, a drop and a list of a student's active
 * enrollments, in the order each request sends them: drizzle's, as the Worker builds them.
 * @returns {Promise<{ enroll: Statement[]; drop: Statement[]; list: Statement[] }>}
 */
export async function ourStatements() {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const queriesUrl = pathToFileURL(join(root, "src/enrollments/queries.ts")).href;
  const { drizzle } = await import("drizzle-orm/d1");
  /** @type {any} src/ is typed for Workers, not Node: not followed by this file's checks. */
  const queries = await import(queriesUrl);
  /** @type {Statement[]} */
  const seen = [];
  const d1 = {
    prepare(/** @type {string} */ sql) {
      const recorded = { sql, params: /** @type {unknown[]} */ ([]) };
      seen.push(recorded);
      const statement = {
        bind: (/** @type {unknown[]} */ ...params) => {
          recorded.params = params;
          return statement;
        },
        all: async () => ({ results: [] }),
      };
      return statement;
    },
    batch: async (/** @type {unknown[]} */ list) => list.map(() => ({ results: [] })),
  };
  const db = drizzle(/** @type {any} */ (d1));
  const taken = () => seen.splice(0);
  await queries.enrollInCourse(db, STUDENT_ID, COURSE_ID);
  const enroll = taken();
  await queries.dropEnrollment(db, STUDENT_ID, COURSE_ID);
  const drop = taken();
  await queries.listStudentEnrollments(db, STUDENT_ID, { status: "active", count: 21 });
  return { enroll, drop, list: taken() };
}
