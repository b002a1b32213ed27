// `npm run capacity -- [--students 100000] [--courses 1000] [--per-student 10] [--keys 100000]
//   [--tombstone-students 10000] [--order random|sequential]`
//
// Bytes per row, measured: makes a fresh local D1 with the real migrations (wrangler, into a
// temporary folder), loads students, courses, enrollments (through D1, so the change feed's
// triggers stamp every row), Idempotency-Keys and tombstones, one kind at a time, and after
// each reads the database file's pages per table and index from SQLite's `dbstat` (opening the
// same file read-only with node:sqlite). Prints, per kind of row, the bytes of its table and
// indexes divided by its rows, then the file's size, and the same after VACUUM. See
// docs/scaling.md.
//
// The values are shaped like real ones (names of 19 characters, emails of 40,
// ISO-8601 times from the database's own defaults). `--order random` (the default) inserts the
// enrollments in a shuffled order, as registration does, so index pages split as they would in
// production; `--order sequential` inserts them student by student (the densest case).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { localD1File, openLocalD1 } from "./local-d1.js";

/** @typedef {import("@cloudflare/workers-types").D1Database} D1Database */

const { values: options } = parseArgs({
  options: {
    students: { type: "string", default: "100000" },
    courses: { type: "string", default: "1000" },
    "per-student": { type: "string", default: "10" },
    keys: { type: "string", default: "100000" },
    "tombstone-students": { type: "string", default: "10000" },
    order: { type: "string", default: "random" },
  },
});
const students = Number(options.students);
const courses = Number(options.courses);
const perStudent = Number(options["per-student"]);
const keys = Number(options.keys);
const tombstoneStudents = Number(options["tombstone-students"]);
if (options.order !== "random" && options.order !== "sequential") {
  throw new Error("--order must be random or sequential");
}
if (perStudent > courses) throw new Error("--per-student must not exceed --courses");

const range = "WITH RECURSIVE seq(n) AS (SELECT ?1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?2)";

/** The tables and indexes each kind of row lives in (dbstat's names). */
const KINDS = {
  student: ["students", "sqlite_autoindex_students_1"],
  course: ["courses", "sqlite_autoindex_courses_1"],
  enrollment: [
    "student_courses",
    "sqlite_autoindex_student_courses_1",
    "student_courses_course_id_student_id",
    "student_courses_updated_at_student_id_course_id",
    "student_courses_seats",
  ],
  "Idempotency-Key": [
    "idempotency_keys",
    "sqlite_autoindex_idempotency_keys_1",
    "idempotency_keys_created_at",
  ],
  tombstone: [
    "deleted_enrollments",
    "sqlite_autoindex_deleted_enrollments_1",
    "deleted_enrollments_deleted_at_student_id_course_id",
  ],
};

/** Bytes of each table and index (dbstat: pages in use, all of them full size), and the file's pages. */
function pages(/** @type {string} */ file) {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const rows = /** @type {{ name: string; bytes: number; payload: number; unused: number }[]} */ (
      db
        .prepare(
          "SELECT name, sum(pgsize) AS bytes, sum(payload) AS payload, sum(unused) AS unused FROM dbstat GROUP BY name",
        )
        .all()
    );
    const pragma = (/** @type {string} */ name) =>
      Number(Object.values(/** @type {object} */ (db.prepare(`PRAGMA ${name}`).get()))[0]);
    return {
      byName: new Map(rows.map((row) => [row.name, row])),
      pageSize: pragma("page_size"),
      pageCount: pragma("page_count"),
      freelist: pragma("freelist_count"),
    };
  } finally {
    db.close();
  }
}

/** @param {D1Database} db @param {string} sql @param {number} total @param {number} chunk */
async function insertRange(db, sql, total, chunk, /** @type {unknown[]} */ ...extra) {
  for (let from = 1; from <= total; from += chunk) {
    const to = Math.min(total, from + chunk - 1);
    await db
      .prepare(sql)
      .bind(from, to, ...extra)
      .run();
  }
}

const state = mkdtempSync(join(tmpdir(), "capacity-"));
try {
  const { db, dispose } = await openLocalD1(state);
  const file = localD1File(state);
  /** @type {{ kind: string; rows: number; bytes: number; payload: number; unused: number; parts: string }[]} */
  const measured = [];
  const measure = async (/** @type {keyof typeof KINDS} */ kind, /** @type {string} */ table) => {
    const rows = Number(await db.prepare(`SELECT count(*) AS n FROM ${table}`).first("n"));
    const { byName } = pages(file);
    const parts = KINDS[kind].map((name) => ({
      name,
      ...(byName.get(name) ?? { bytes: 0, payload: 0, unused: 0 }),
    }));
    const sum = (/** @type {"bytes" | "payload" | "unused"} */ key) =>
      parts.reduce((total, part) => total + part[key], 0);
    measured.push({
      kind,
      rows,
      bytes: sum("bytes"),
      payload: sum("payload"),
      unused: sum("unused"),
      parts: parts.map((part) => `${part.name} ${(part.bytes / rows).toFixed(1)}`).join(", "),
    });
    process.stderr.write(`${kind}: ${rows.toLocaleString()} rows\n`);
  };

  // Names of 19 characters and emails of 40, like real ones (ids padded to 7 digits).
  await insertRange(
    db,
    `INSERT INTO students (name, email) ${range}
     SELECT printf('Given%07d Family', n), printf('given.family%07d@district.example.org', n) FROM seq`,
    students,
    20_000,
  );
  await measure("student", "students");
  await insertRange(
    db,
    `INSERT INTO courses (code, title) ${range}
     SELECT printf('CRS%07d', n), printf('Course title number %07d', n) FROM seq`,
    courses,
    20_000,
  );
  await measure("course", "courses");
  // Student s takes courses ((s * 7 + k * 97) % courses) + 1 for k < perStudent: distinct, since
  // 97 is prime and, for the default 1,000 courses, coprime with the count. Slot k of every
  // student at a time, in a shuffled order of students (or in order, --order sequential).
  const chunk = 100_000;
  for (let k = 0; k < perStudent; k++) {
    for (let from = 1; from <= students; from += chunk) {
      const to = Math.min(students, from + chunk - 1);
      await db
        .prepare(
          `INSERT INTO student_courses (student_id, course_id) ${range}
           SELECT n, ((n * 7 + ?3 * 97) % ?4) + 1 FROM seq ${options.order === "random" ? "ORDER BY random()" : ""}`,
        )
        .bind(from, to, k, courses)
        .run();
    }
    process.stderr.write(`enrollments: slot ${k + 1} of ${perStudent}\n`);
  }
  await measure("enrollment", "student_courses");
  // Keys as the app stores them: SHA-256 hex scope and fingerprint, a UUID key, and the created
  // student as JSON (what a POST /students with an Idempotency-Key keeps for 24 hours).
  await insertRange(
    db,
    `INSERT INTO idempotency_keys (scope, key, fingerprint, created) ${range}
     SELECT lower(hex(randomblob(32))), lower(printf('%s-%s-4%s-a%s-%s', hex(randomblob(4)), hex(randomblob(2)), substr(hex(randomblob(2)), 2), substr(hex(randomblob(2)), 2), hex(randomblob(6)))),
       lower(hex(randomblob(32))),
       json_object('id', n, 'name', printf('Given%07d Family', n), 'email', printf('given.family%07d@district.example.org', n), 'created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'version', 1)
     FROM seq`,
    keys,
    20_000,
  );
  await measure("Idempotency-Key", "idempotency_keys");
  // Tombstones: the enrollments of the first students, deleted (the trigger writes one each).
  await db
    .prepare("DELETE FROM student_courses WHERE student_id <= ?")
    .bind(tombstoneStudents)
    .run();
  await measure("tombstone", "deleted_enrollments");
  await dispose();

  const before = pages(file);
  const fileBytes = statSync(file).size;
  const vacuum = new DatabaseSync(file);
  vacuum.exec("VACUUM");
  /** Rows of each kind now (the enrollments of the tombstoned students are gone). */
  const rowsNow = Object.fromEntries(
    Object.entries(KINDS).map(([kind, [table]]) => [
      kind,
      Number(
        /** @type {{ n: number }} */ (vacuum.prepare(`SELECT count(*) AS n FROM ${table}`).get()).n,
      ),
    ]),
  );
  vacuum.close();
  const after = pages(file);

  console.log(
    `\n${students.toLocaleString()} students, ${courses.toLocaleString()} courses, ${perStudent} enrollments each (${options.order} order), ${keys.toLocaleString()} Idempotency-Keys, ${(tombstoneStudents * perStudent).toLocaleString()} tombstones; page size ${before.pageSize} B`,
  );
  console.table(
    Object.fromEntries(
      measured.map(({ kind, rows, bytes, payload, unused }) => {
        const names = KINDS[/** @type {keyof typeof KINDS} */ (kind)];
        const vacuumed = names.reduce(
          (total, name) => total + (after.byName.get(name)?.bytes ?? 0),
          0,
        );
        return [
          kind,
          {
            rows,
            "bytes/row": Math.round(bytes / rows),
            "payload/row": Math.round(payload / rows),
            "unused/row": Math.round(unused / rows),
            "bytes/row after VACUUM": Math.round(vacuumed / (rowsNow[kind] ?? rows)),
          },
        ];
      }),
    ),
  );
  for (const { kind, parts } of measured)
    console.log(`${kind} (bytes/row by table and index): ${parts}`);
  console.log(
    `file before VACUUM: ${fileBytes.toLocaleString()} B (${before.pageCount.toLocaleString()} pages, ${before.freelist.toLocaleString()} free); after: ${(after.pageCount * after.pageSize).toLocaleString()} B (${after.pageCount.toLocaleString()} pages)`,
  );
} finally {
  rmSync(state, { recursive: true, force: true });
}
