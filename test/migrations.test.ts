import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import rollback0002 from "../migrations/rollbacks/0002_student_courses.sql?raw";

// Runs the real migrations one at a time on an empty D1 (MIGRATION_DB), with data in place,
// as a deployed database would meet them.

const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const upTo = (name: string) => migrations.slice(0, migrations.findIndex((m) => m.name === name) + 1);

const all = async (sql: string) => (await db.prepare(sql).all()).results;

/** Every byte of students and courses (quote() keeps each value's type and text exactly), their schema and id counters. */
const existingData = async () => ({
  students: await all("SELECT quote(id), quote(name), quote(email), quote(created_at) FROM students ORDER BY rowid"),
  courses: await all("SELECT quote(id), quote(code), quote(title), quote(created_at) FROM courses ORDER BY rowid"),
  schema: await all("SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('students', 'courses') ORDER BY name"),
  sequences: await all("SELECT name, seq FROM sqlite_sequence WHERE name IN ('students', 'courses') ORDER BY name"),
});

const applied = async () => (await all("SELECT name FROM d1_migrations ORDER BY id")).map((r) => r.name);
const enrollmentObjects = () => all("SELECT type, name FROM sqlite_master WHERE tbl_name = 'student_courses' ORDER BY name");

/** The rollback file's statements, as `wrangler d1 execute --file` runs them. */
const runRollback = () =>
  db.batch(
    rollback0002
      .replace(/--.*$/gm, "")
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => db.prepare(s)),
  );

it("0002 adds student_courses without touching a byte of existing data, and its rollback undoes exactly that", async () => {
  await applyD1Migrations(db, upTo("0001_students_courses.sql"));
  await db.batch([
    db.prepare("INSERT INTO students (name, email) VALUES ('Zoë Ångström', 'zoe@example.org'), ('李小龍', 'li@example.org'), ('Gone', 'gone@example.org')"),
    db.prepare("INSERT INTO students (name, email, created_at) VALUES ('Old', 'old@example.org', '2020-01-01T00:00:00.000Z')"),
    db.prepare("DELETE FROM students WHERE email = 'gone@example.org'"),
    db.prepare("INSERT INTO courses (code, title) VALUES ('CS101', 'Intro'), ('MATH.2', 'Algebra ∑')"),
  ]);
  const before = await existingData();
  expect(before.students).toHaveLength(3);

  await applyD1Migrations(db, migrations);
  expect(await applied()).toEqual(migrations.map((m) => m.name));
  expect(await enrollmentObjects()).toEqual([
    { type: "index", name: "sqlite_autoindex_student_courses_1" },
    { type: "table", name: "student_courses" },
    { type: "index", name: "student_courses_course_id_student_id" },
  ]);
  expect(await existingData()).toEqual(before);

  await db.prepare("INSERT INTO student_courses (student_id, course_id) VALUES (1, 1)").run();
  await runRollback();
  expect(await enrollmentObjects()).toEqual([]);
  expect(await applied()).toEqual(["0001_students_courses.sql"]);
  expect(await existingData()).toEqual(before);

  await applyD1Migrations(db, migrations);
  expect(await applied()).toEqual(migrations.map((m) => m.name));
  expect((await enrollmentObjects()).map((o) => o.name)).toContain("student_courses");
  expect(await existingData()).toEqual(before);
});
