import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import rollback0002 from "../../migrations/rollbacks/0002_student_courses.sql?raw";
import rollback0003 from "../../migrations/rollbacks/0003_enrollment_changes.sql?raw";
import rollback0004 from "../../migrations/rollbacks/0004_resource_versions.sql?raw";
import rollback0005 from "../../migrations/rollbacks/0005_idempotency_keys.sql?raw";
import rollback0006 from "../../migrations/rollbacks/0006_stamp_in_place.sql?raw";
import rollback0007 from "../../migrations/rollbacks/0007_seats_and_waitlists.sql?raw";
import rollback0008 from "../../migrations/rollbacks/0008_webhooks.sql?raw";
import rollback0009 from "../../migrations/rollbacks/0009_sis_ids.sql?raw";
import rollback0010 from "../../migrations/rollbacks/0010_imports.sql?raw";
import rollback0011 from "../../migrations/rollbacks/0011_import_staging.sql?raw";
import rollback0012 from "../../migrations/rollbacks/0012_promote_on_delete.sql?raw";
import rollback0013 from "../../migrations/rollbacks/0013_fan_out_by_dispatcher.sql?raw";

// Runs the real migrations one at a time on an empty D1 (MIGRATION_DB), with data in place,
// as a deployed database would meet them, and each rollback after its migration.

const db = env.MIGRATION_DB;
const migrations = env.TEST_MIGRATIONS;
const upTo = (name: string) =>
  migrations.slice(0, migrations.findIndex((m) => m.name === name) + 1);
const names = (list: { name: string }[]) => list.map((m) => m.name);

const all = async (sql: string) => (await db.prepare(sql).all()).results;

/** Every byte of students and courses (quote() keeps each value's type and text exactly), their schema and id counters. */
const existingData = async () => ({
  students: await all(
    "SELECT quote(id), quote(name), quote(email), quote(created_at) FROM students ORDER BY rowid",
  ),
  courses: await all(
    "SELECT quote(id), quote(code), quote(title), quote(created_at) FROM courses ORDER BY rowid",
  ),
  schema: await all(
    "SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ('students', 'courses') ORDER BY name",
  ),
  sequences: await all(
    "SELECT name, seq FROM sqlite_sequence WHERE name IN ('students', 'courses') ORDER BY name",
  ),
});

/** The same for enrollments: every byte, and the table's own definition. */
const enrollmentData = async () => ({
  rows: await all(
    "SELECT quote(student_id), quote(course_id), quote(status), quote(enrolled_at), quote(updated_at), quote(dropped_at) FROM student_courses ORDER BY rowid",
  ),
  table: await all(
    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'student_courses'",
  ),
});

/** Every object of the schema, with its SQL, but wrangler's record of migrations. */
const schema = () =>
  all(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name <> 'd1_migrations' ORDER BY name",
  );

/** The objects of the schema that are new, or whose SQL changed, since `before` (a schema()). */
const changedSince = async (before: Awaited<ReturnType<typeof schema>>) =>
  (await schema())
    .filter((o) => !before.some((b) => b.name === o.name && b.sql === o.sql))
    .map(({ type, name }) => ({ type, name }));

const applied = async () =>
  (await all("SELECT name FROM d1_migrations ORDER BY id")).map((r) => r.name);
const objectsOf = (tables: string[]) =>
  all(
    `SELECT type, name, tbl_name FROM sqlite_master WHERE tbl_name IN (${tables.map((t) => `'${t}'`).join()}) ORDER BY name`,
  );

/** A rollback file's statements, as `wrangler d1 execute --file` splits them: a trigger's body is part of its statement. */
function statementsOf(file: string): string[] {
  const statements: string[] = [];
  let pending = "";
  for (const part of file.replace(/--.*$/gm, "").split(";")) {
    pending = pending ? `${pending};${part}` : part;
    if (/^\s*CREATE\s+TRIGGER\b/i.test(pending) && !/\bEND\s*$/i.test(pending)) continue;
    if (pending.trim()) statements.push(pending.trim());
    pending = "";
  }
  return statements;
}

/** A rollback file, run as `wrangler d1 execute --file` runs it: in one batch. */
const runRollback = (file: string) => db.batch(statementsOf(file).map((s) => db.prepare(s)));

it("0002 adds student_courses without touching a byte of existing data, and its rollback undoes exactly that", async () => {
  await applyD1Migrations(db, upTo("0001_students_courses.sql"));
  await db.batch([
    db.prepare(
      "INSERT INTO students (name, email) VALUES ('Zoë Ångström', 'zoe@example.org'), ('李小龍', 'li@example.org'), ('Gone', 'gone@example.org')",
    ),
    db.prepare(
      "INSERT INTO students (name, email, created_at) VALUES ('Old', 'old@example.org', '2020-01-01T00:00:00.000Z')",
    ),
    db.prepare("DELETE FROM students WHERE email = 'gone@example.org'"),
    db.prepare(
      "INSERT INTO courses (code, title) VALUES ('CS101', 'Intro'), ('MATH.2', 'Algebra ∑')",
    ),
  ]);
  const before = await existingData();
  expect(before.students).toHaveLength(3);
  const upTo0002 = upTo("0002_student_courses.sql");

  await applyD1Migrations(db, upTo0002);
  expect(await applied()).toEqual(names(upTo0002));
  expect(await objectsOf(["student_courses"])).toEqual([
    { type: "index", name: "sqlite_autoindex_student_courses_1", tbl_name: "student_courses" },
    { type: "table", name: "student_courses", tbl_name: "student_courses" },
    { type: "index", name: "student_courses_course_id_student_id", tbl_name: "student_courses" },
  ]);
  expect(await existingData()).toEqual(before);

  await db.prepare("INSERT INTO student_courses (student_id, course_id) VALUES (1, 1)").run();
  await runRollback(rollback0002);
  expect(await objectsOf(["student_courses"])).toEqual([]);
  expect(await applied()).toEqual(["0001_students_courses.sql"]);
  expect(await existingData()).toEqual(before);

  await applyD1Migrations(db, upTo0002);
  expect(await applied()).toEqual(names(upTo0002));
  expect((await objectsOf(["student_courses"])).map((o) => o.name)).toContain("student_courses");
  expect(await existingData()).toEqual(before);
});

it("0003 adds the change feed's tables, indexes and triggers without touching existing data, starts its clock after every change, and its rollback undoes exactly that", async () => {
  const upTo0002 = upTo("0002_student_courses.sql");
  const upTo0003 = upTo("0003_enrollment_changes.sql");
  await applyD1Migrations(db, upTo0002);
  await db.batch([
    db.prepare("INSERT INTO students (name, email) VALUES ('Ana', 'ana@example.org')"),
    db.prepare("INSERT INTO courses (code, title) VALUES ('BIO-1', 'Cells')"),
    db.prepare(
      "INSERT INTO student_courses (student_id, course_id, updated_at) SELECT max(s.id), max(c.id), '2026-01-02T03:04:05.678Z' FROM students s, courses c",
    ),
  ]);
  const before = { existing: await existingData(), enrollments: await enrollmentData() };
  const feedObjects = () => objectsOf(["student_courses", "change_clock", "deleted_enrollments"]);
  const objectsBefore = await feedObjects();

  await applyD1Migrations(db, upTo0003);
  expect(await applied()).toEqual(names(upTo0003));
  const added = (await feedObjects()).filter((o) => !objectsBefore.some((b) => b.name === o.name));
  expect(added).toEqual([
    { type: "table", name: "change_clock", tbl_name: "change_clock" },
    { type: "table", name: "deleted_enrollments", tbl_name: "deleted_enrollments" },
    {
      type: "index",
      name: "deleted_enrollments_deleted_at_student_id_course_id",
      tbl_name: "deleted_enrollments",
    },
    {
      type: "index",
      name: "sqlite_autoindex_deleted_enrollments_1",
      tbl_name: "deleted_enrollments",
    },
    { type: "trigger", name: "student_courses_stamp_insert", tbl_name: "student_courses" },
    { type: "trigger", name: "student_courses_stamp_update", tbl_name: "student_courses" },
    { type: "trigger", name: "student_courses_tombstone", tbl_name: "student_courses" },
    {
      type: "index",
      name: "student_courses_updated_at_student_id_course_id",
      tbl_name: "student_courses",
    },
  ]);
  expect({ existing: await existingData(), enrollments: await enrollmentData() }).toEqual(before);
  // The clock starts at the latest change already made, so the next one sorts after it.
  expect(await all("SELECT id, at FROM change_clock")).toEqual([
    { id: 1, at: "2026-01-02T03:04:05.678Z" },
  ]);

  await runRollback(rollback0003);
  expect(await feedObjects()).toEqual(objectsBefore);
  expect(await applied()).toEqual(names(upTo0002));
  expect({ existing: await existingData(), enrollments: await enrollmentData() }).toEqual(before);

  await applyD1Migrations(db, upTo0003);
  expect(await applied()).toEqual(names(upTo0003));
  expect({ existing: await existingData(), enrollments: await enrollmentData() }).toEqual(before);
});

it("0004 gives every student and course version 1 without touching another byte, and its rollback drops the column and nothing else", async () => {
  const upTo0004 = upTo("0004_resource_versions.sql");
  await applyD1Migrations(db, upTo("0003_enrollment_changes.sql"));
  await db.batch([
    db.prepare(
      "INSERT INTO students (name, email) VALUES ('Version Person', 'version@example.org')",
    ),
    db.prepare("INSERT INTO courses (code, title) VALUES ('VER-1', 'Versions')"),
    db.prepare(
      "INSERT INTO student_courses (student_id, course_id) SELECT max(s.id), max(c.id) FROM students s, courses c",
    ),
  ]);
  const before = { existing: await existingData(), enrollments: await enrollmentData() };
  const rows = (table: string) => all(`SELECT * FROM ${table} ORDER BY id`);
  const [students, courses] = [await rows("students"), await rows("courses")];

  await applyD1Migrations(db, upTo0004);
  expect(await applied()).toEqual(names(upTo0004));
  expect(await rows("students")).toEqual(students.map((row) => ({ ...row, version: 1 })));
  expect(await rows("courses")).toEqual(courses.map((row) => ({ ...row, version: 1 })));
  expect(await enrollmentData()).toEqual(before.enrollments);

  await runRollback(rollback0004);
  expect({ existing: await existingData(), enrollments: await enrollmentData() }).toEqual(before);
  expect(await applied()).toEqual(names(upTo("0003_enrollment_changes.sql")));

  await applyD1Migrations(db, upTo0004);
  expect(await applied()).toEqual(names(upTo0004));
  expect(await rows("students")).toEqual(students.map((row) => ({ ...row, version: 1 })));
});

it("0005 adds the idempotency keys' table without touching any other object or byte, and its rollback drops exactly that", async () => {
  const upTo0004 = upTo("0004_resource_versions.sql");
  await applyD1Migrations(db, upTo0004);
  const data = async () => ({
    existing: await existingData(),
    enrollments: await enrollmentData(),
    versions: await all(
      "SELECT 's', id, version FROM students UNION ALL SELECT 'c', id, version FROM courses ORDER BY 1, 2",
    ),
  });
  const [schemaBefore, before] = [await schema(), await data()];
  expect(before.existing.students.length).toBeGreaterThan(0);

  const upTo0005 = upTo("0005_idempotency_keys.sql");
  await applyD1Migrations(db, upTo0005);
  expect(await applied()).toEqual(names(upTo0005));
  const added = (await schema())
    .filter((o) => !schemaBefore.some((b) => b.name === o.name))
    .map(({ type, name, tbl_name }) => ({ type, name, tbl_name }));
  expect(added).toEqual([
    { type: "table", name: "idempotency_keys", tbl_name: "idempotency_keys" },
    { type: "index", name: "idempotency_keys_created_at", tbl_name: "idempotency_keys" },
    { type: "index", name: "sqlite_autoindex_idempotency_keys_1", tbl_name: "idempotency_keys" },
  ]);
  expect((await schema()).filter((o) => o.tbl_name !== "idempotency_keys")).toEqual(schemaBefore);
  expect(await data()).toEqual(before);

  await db
    .prepare(
      "INSERT INTO idempotency_keys (scope, key, fingerprint, created) VALUES ('s', 'k', 'f', '{}')",
    )
    .run();
  await runRollback(rollback0005);
  expect(await schema()).toEqual(schemaBefore);
  expect(await applied()).toEqual(names(upTo0004));
  expect(await data()).toEqual(before);

  await applyD1Migrations(db, upTo0005);
  expect(await applied()).toEqual(names(upTo0005));
  expect(await all("SELECT count(*) AS keys FROM idempotency_keys")).toEqual([{ keys: 0 }]);
});

it("0006 replaces the two stamp triggers and nothing else, stamps as before while writing a row less, and its rollback puts 0003's back", async () => {
  const upTo0005 = upTo("0005_idempotency_keys.sql");
  const upTo0006 = upTo("0006_stamp_in_place.sql");
  await applyD1Migrations(db, upTo0005);
  const data = async () => ({
    existing: await existingData(),
    enrollments: await enrollmentData(),
  });
  const [schemaBefore, before] = [await schema(), await data()];
  expect(before.enrollments.rows.length).toBeGreaterThan(0);

  await applyD1Migrations(db, upTo0006);
  expect(await applied()).toEqual(names(upTo0006));
  expect(await changedSince(schemaBefore)).toEqual([
    { type: "trigger", name: "student_courses_stamp_insert" },
    { type: "trigger", name: "student_courses_stamp_update" },
  ]);
  expect((await schema()).map(({ name }) => name)).toEqual(schemaBefore.map(({ name }) => name));
  expect(await data()).toEqual(before);

  // A write that puts the clock's next time in place, as the Worker's do, against one that
  // leaves it to the trigger, as SQL by hand does: both end stamped with the clock's time.
  const [student] = await all("SELECT id FROM students ORDER BY id LIMIT 1");
  const courseIds = (await all("SELECT id FROM courses ORDER BY id DESC LIMIT 2")).map((r) => r.id);
  await db.prepare("DELETE FROM student_courses WHERE student_id = ?").bind(student?.id).run();
  const clock = async () => (await all("SELECT at FROM change_clock"))[0]?.at;
  const stampOf = async (courseId: unknown) =>
    (
      await all(
        `SELECT updated_at FROM student_courses WHERE student_id = ${student?.id} AND course_id = ${courseId}`,
      )
    )[0]?.updated_at;
  const insert = (courseId: unknown, updatedAt: string) =>
    db
      .prepare(
        `INSERT INTO student_courses (student_id, course_id, updated_at) VALUES (?, ?, ${updatedAt})`,
      )
      .bind(student?.id, courseId)
      .run();
  const next =
    "max(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', (SELECT at FROM change_clock WHERE id = 1), '+0.001 seconds'))";
  const byHand = await insert(courseIds[0], "'2000-01-01T00:00:00.000Z'");
  expect(await stampOf(courseIds[0])).toBe(await clock());
  const inPlace = await insert(courseIds[1], next);
  expect(await stampOf(courseIds[1])).toBe(await clock());
  expect(inPlace.meta.rows_written).toBeLessThan(byHand.meta.rows_written);
  const drop = await db
    .prepare(
      `UPDATE student_courses SET status = 'dropped', dropped_at = 'x', updated_at = ${next} WHERE student_id = ? AND course_id = ?`,
    )
    .bind(student?.id, courseIds[1])
    .run();
  expect(await stampOf(courseIds[1])).toBe(await clock());
  const dropByHand = await db
    .prepare(
      "UPDATE student_courses SET status = 'dropped', dropped_at = 'x' WHERE student_id = ? AND course_id = ?",
    )
    .bind(student?.id, courseIds[0])
    .run();
  expect(await stampOf(courseIds[0])).toBe(await clock());
  expect(drop.meta.rows_written).toBeLessThan(dropByHand.meta.rows_written);

  await runRollback(rollback0006);
  expect(await schema()).toEqual(schemaBefore);
  expect(await applied()).toEqual(names(upTo0005));
  // 0003's triggers stamp again, on every change.
  await db
    .prepare("UPDATE student_courses SET status = 'active' WHERE student_id = ? AND course_id = ?")
    .bind(student?.id, courseIds[0])
    .run();
  expect(await stampOf(courseIds[0])).toBe(await clock());
  await applyD1Migrations(db, upTo0006);
  expect(await applied()).toEqual(names(upTo0006));
});

it("0007 adds seat and waitlist columns and indexes only, leaves every row byte-identical, and its rollback undoes exactly that", async () => {
  const upTo0006 = upTo("0006_stamp_in_place.sql");
  await applyD1Migrations(db, upTo0006);
  const rows = async () => ({
    students: await all(
      "SELECT quote(id), quote(name), quote(email), quote(created_at), quote(version) FROM students ORDER BY rowid",
    ),
    courses: await all(
      "SELECT quote(id), quote(code), quote(title), quote(created_at), quote(version) FROM courses ORDER BY rowid",
    ),
    enrollments: (await enrollmentData()).rows,
    clock: await all("SELECT quote(at) FROM change_clock"),
  });
  const [schemaBefore, before] = [await schema(), await rows()];
  expect(before.enrollments.length).toBeGreaterThan(0);

  const upTo0007 = upTo("0007_seats_and_waitlists.sql");
  await applyD1Migrations(db, upTo0007);
  expect(await applied()).toEqual(names(upTo0007));
  expect(await rows()).toEqual(before);
  const added = (await schema()).filter((o) => !schemaBefore.some((b) => b.name === o.name));
  expect(added.map(({ type, name }) => ({ type, name }))).toEqual([
    { type: "index", name: "student_courses_seats" },
    { type: "index", name: "student_courses_waitlist" },
  ]);
  expect(
    await all("SELECT quote(capacity), quote(waitlist_capacity) FROM courses GROUP BY 1, 2"),
  ).toEqual([{ "quote(capacity)": "NULL", "quote(waitlist_capacity)": "NULL" }]);
  await expect(db.prepare("UPDATE courses SET capacity = -1").run()).rejects.toThrow(/CHECK/);
  await expect(
    db.prepare("UPDATE student_courses SET waitlist_seq = 1 WHERE status = 'dropped'").run(),
  ).rejects.toThrow(/CHECK/);

  await runRollback(rollback0007);
  expect(await schema()).toEqual(schemaBefore);
  expect(await applied()).toEqual(names(upTo0006));
  expect(await rows()).toEqual(before);

  // Someone waiting when the rollback runs is dropped: without the column they would read as
  // holding a seat.
  await applyD1Migrations(db, upTo0007);
  const [waiting] = await all(
    "SELECT student_id, course_id FROM student_courses WHERE status = 'active' LIMIT 1",
  );
  const pair = `student_id = ${waiting?.student_id} AND course_id = ${waiting?.course_id}`;
  await db.prepare(`UPDATE student_courses SET waitlist_seq = 1 WHERE ${pair}`).run();
  await runRollback(rollback0007);
  expect(await all(`SELECT status FROM student_courses WHERE ${pair}`)).toEqual([
    { status: "dropped" },
  ]);
  await applyD1Migrations(db, upTo0007);
  expect(await applied()).toEqual(names(upTo0007));
});

it("0008 adds the webhook tables, indexes and triggers only, leaves every row byte-identical, writes no event without a subscription, and its rollback undoes exactly that", async () => {
  const upTo0007 = upTo("0007_seats_and_waitlists.sql");
  await applyD1Migrations(db, upTo0007);
  const rows = async () => ({
    students: await all(
      "SELECT quote(id), quote(name), quote(email), quote(created_at), quote(version) FROM students ORDER BY rowid",
    ),
    courses: await all(
      "SELECT quote(id), quote(code), quote(capacity), quote(version) FROM courses ORDER BY rowid",
    ),
    enrollments: await all(
      "SELECT quote(student_id), quote(course_id), quote(status), quote(updated_at), quote(waitlist_seq) FROM student_courses ORDER BY rowid",
    ),
    clock: await all("SELECT quote(at) FROM change_clock"),
  });
  const [schemaBefore, before] = [await schema(), await rows()];
  expect(before.enrollments.length).toBeGreaterThan(0);

  const upTo0008 = upTo("0008_webhooks.sql");
  await applyD1Migrations(db, upTo0008);
  expect(await applied()).toEqual(names(upTo0008));
  expect(await rows()).toEqual(before);
  const added = (await schema()).filter((o) => !schemaBefore.some((b) => b.name === o.name));
  expect(new Set(added.map((o) => o.tbl_name))).toEqual(
    new Set([
      "webhook_subscriptions",
      "webhook_events",
      "webhook_deliveries",
      "students",
      "courses",
      "student_courses",
    ]),
  );
  // On the existing tables, only triggers: no column, index or table of theirs changed.
  const onExisting = added.filter((o) => !String(o.tbl_name).startsWith("webhook_"));
  expect(new Set(onExisting.map((o) => o.type))).toEqual(new Set(["trigger"]));

  // No enabled subscription: a change writes no event.
  await db
    .prepare("UPDATE students SET name = 'Changed', version = version + 1 WHERE id = 1")
    .run();
  expect(await all("SELECT * FROM webhook_events")).toEqual([]);
  // One that wants student events: the change writes one event and one delivery.
  await db
    .prepare(
      "INSERT INTO webhook_subscriptions (url, events, secret) VALUES ('https://r.example', '[\"student.updated\"]', 'v1.x')",
    )
    .run();
  await db.prepare("UPDATE students SET name = 'Again', version = version + 1 WHERE id = 1").run();
  expect(await all("SELECT type, data FROM webhook_events")).toEqual([
    { type: "student.updated", data: '{"id":1,"fields":["name"]}' },
  ]);
  expect(await all("SELECT subscription_id, state FROM webhook_deliveries")).toEqual([
    { subscription_id: 1, state: "pending" },
  ]);

  await runRollback(rollback0008);
  expect(await schema()).toEqual(schemaBefore);
  expect(await applied()).toEqual(names(upTo0007));
  await applyD1Migrations(db, upTo0008);
  expect(await applied()).toEqual(names(upTo0008));
});

it("0009 adds the SIS id columns and unique indexes, names sis_id in update events, leaves every row byte-identical, and its rollback undoes exactly that", async () => {
  const upTo0008 = upTo("0008_webhooks.sql");
  await applyD1Migrations(db, upTo0008);
  const rows = async () => ({
    students: await all(
      "SELECT quote(id), quote(name), quote(email), quote(created_at), quote(version) FROM students ORDER BY rowid",
    ),
    courses: await all(
      "SELECT quote(id), quote(code), quote(title), quote(created_at), quote(capacity), quote(waitlist_capacity), quote(version) FROM courses ORDER BY rowid",
    ),
    enrollments: await all(
      "SELECT quote(student_id), quote(course_id), quote(status), quote(updated_at), quote(waitlist_seq) FROM student_courses ORDER BY rowid",
    ),
    events: await all(
      "SELECT quote(id), quote(type), quote(data) FROM webhook_events ORDER BY rowid",
    ),
  });
  const [schemaBefore, before] = [await schema(), await rows()];
  expect(before.students.length).toBeGreaterThan(0);
  expect(before.courses.length).toBeGreaterThan(0);

  const upTo0009 = upTo("0009_sis_ids.sql");
  await applyD1Migrations(db, upTo0009);
  expect(await applied()).toEqual(names(upTo0009));
  expect(await rows()).toEqual(before);
  expect(await changedSince(schemaBefore)).toEqual([
    { type: "table", name: "courses" },
    { type: "index", name: "courses_sis_id_unique" },
    { type: "table", name: "students" },
    { type: "index", name: "students_sis_id_unique" },
    { type: "trigger", name: "webhooks_course_updated" },
    { type: "trigger", name: "webhooks_student_updated" },
  ]);
  expect(await all("SELECT quote(sis_id) FROM students GROUP BY 1")).toEqual([
    { "quote(sis_id)": "NULL" },
  ]);
  expect(await all("SELECT quote(sis_id) FROM courses GROUP BY 1")).toEqual([
    { "quote(sis_id)": "NULL" },
  ]);

  // Unique, exactly (case included), with any number of students without one.
  await db.prepare("UPDATE students SET sis_id = 'S-1' WHERE id = 1").run();
  await expect(db.prepare("UPDATE students SET sis_id = 'S-1' WHERE id = 2").run()).rejects.toThrow(
    /UNIQUE/,
  );
  await db.prepare("UPDATE students SET sis_id = 's-1' WHERE id = 2").run();
  await expect(db.prepare("UPDATE courses SET sis_id = '' WHERE id = 1").run()).rejects.toThrow(
    /CHECK/,
  );
  // A changed SIS id is named in the update's event, as a changed name is.
  await db
    .prepare(
      "INSERT INTO webhook_subscriptions (url, events, secret) VALUES ('https://r.example', '[\"*\"]', 'v1.x')",
    )
    .run();
  await db.prepare("UPDATE students SET sis_id = 'S-9', version = version + 1 WHERE id = 1").run();
  await db
    .prepare("UPDATE courses SET sis_id = 'C-9', title = 'New', version = version + 1 WHERE id = 1")
    .run();
  expect(await all("SELECT type, data FROM webhook_events ORDER BY rowid")).toEqual([
    { type: "student.updated", data: '{"id":1,"fields":["sis_id"]}' },
    { type: "course.updated", data: '{"id":1,"fields":["title","sis_id"]}' },
  ]);

  // A refusal stored under an Idempotency-Key names its column now; the Worker before 0009
  // would replay it as a created record, so the rollback deletes it, and keeps the rest.
  await db
    .prepare(
      `INSERT INTO idempotency_keys (scope, key, fingerprint, created, created_at) VALUES ('s', 'refused', 'f', '{"taken":"email"}', '2026-12-02T00:00:00.000Z'), ('s', 'created', 'f', '{"id":1}', '2026-12-02T00:00:00.000Z')`,
    )
    .run();
  await runRollback(rollback0009);
  expect(await all("SELECT key FROM idempotency_keys WHERE scope = 's'")).toEqual([
    { key: "created" },
  ]);
  expect(await schema()).toEqual(schemaBefore);
  expect(await applied()).toEqual(names(upTo0008));
  await applyD1Migrations(db, upTo0009);
  expect(await applied()).toEqual(names(upTo0009));
});

it("0010 adds the imports table only, and its rollback drops exactly that", async () => {
  const upTo0009 = upTo("0009_sis_ids.sql");
  const upTo0010 = upTo("0010_imports.sql");
  await applyD1Migrations(db, upTo0009);
  const schemaBefore = await schema();
  await applyD1Migrations(db, upTo0010);
  expect(await applied()).toEqual(names(upTo0010));
  expect(await changedSince(schemaBefore)).toEqual([{ type: "table", name: "imports" }]);
  await expect(
    db
      .prepare("INSERT INTO imports (type, object_key, size_bytes) VALUES ('teachers', 'k', 1)")
      .run(),
  ).rejects.toThrow(/CHECK/);

  await runRollback(rollback0010);
  expect(await schema()).toEqual(schemaBefore);
  expect(await applied()).toEqual(names(upTo0009));
  await applyD1Migrations(db, upTo0010);
  expect(await applied()).toEqual(names(upTo0010));
});

it("0011 adds the import_keys and import_pairs tables and imports.rows_total only, and its rollback drops exactly those", async () => {
  const upTo0010 = upTo("0010_imports.sql");
  await applyD1Migrations(db, upTo0010);
  await db.prepare("DELETE FROM imports").run();
  await db
    .prepare(
      "INSERT INTO imports (type, object_key, size_bytes, created) VALUES ('students', 'k', 9, 2)",
    )
    .run();
  const importsBefore = await db.prepare("SELECT * FROM imports").all();
  const schemaBefore = await schema();
  const upTo0011 = upTo("0011_import_staging.sql");
  await applyD1Migrations(db, upTo0011);
  expect(await applied()).toEqual(names(upTo0011));
  // The row keeps every byte, and its rows_total is not known.
  const importsAfter = await db.prepare("SELECT * FROM imports").all();
  expect(importsAfter.results).toEqual(
    importsBefore.results.map((r) => ({ ...r, rows_total: null })),
  );
  expect(await changedSince(schemaBefore)).toEqual([
    { type: "table", name: "import_keys" },
    { type: "table", name: "import_pairs" },
    { type: "table", name: "imports" },
    { type: "index", name: "sqlite_autoindex_import_keys_1" },
    { type: "index", name: "sqlite_autoindex_import_pairs_1" },
  ]);

  await runRollback(rollback0011);
  expect(await schema()).toEqual(schemaBefore);
  expect((await db.prepare("SELECT * FROM imports").all()).results).toEqual(importsBefore.results);
  expect(await applied()).toEqual(names(upTo0010));
  await applyD1Migrations(db, upTo0011);
  expect(await applied()).toEqual(names(upTo0011));
});

it("0012 adds the trigger that promotes into a deleted enrollment's seat, leaves every row byte-identical, and its rollback drops exactly that", async () => {
  const upTo0011 = upTo("0011_import_staging.sql");
  await applyD1Migrations(db, upTo0011);
  await db.batch([
    db.prepare("DELETE FROM student_courses"),
    db.prepare("DELETE FROM students"),
    db.prepare("DELETE FROM courses"),
    db.prepare(
      "INSERT INTO students (id, name, email) VALUES (1, 'A', 'a@x.org'), (2, 'B', 'b@x.org')",
    ),
    db.prepare("INSERT INTO courses (id, code, title, capacity) VALUES (1, 'C-1', 'One', 1)"),
    db.prepare(
      "INSERT INTO student_courses (student_id, course_id, status, enrolled_at, updated_at, waitlist_seq) VALUES (1, 1, 'active', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', NULL), (2, 1, 'active', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 1)",
    ),
  ]);
  const dataBefore = { ...(await existingData()), enrollments: (await enrollmentData()).rows };
  const schemaBefore = await schema();
  const upTo0012 = upTo("0012_promote_on_delete.sql");
  await applyD1Migrations(db, upTo0012);
  expect(await applied()).toEqual(names(upTo0012));
  expect({ ...(await existingData()), enrollments: (await enrollmentData()).rows }).toEqual(
    dataBefore,
  );
  expect(await changedSince(schemaBefore)).toEqual([
    { type: "trigger", name: "student_courses_promote_on_delete" },
  ]);
  // Student 1 held the one seat; deleting them seats student 2, who waited.
  await db.prepare("DELETE FROM students WHERE id = 1").run();
  expect(await all("SELECT student_id, waitlist_seq FROM student_courses")).toEqual([
    { student_id: 2, waitlist_seq: null },
  ]);

  await runRollback(rollback0012);
  expect(await schema()).toEqual(schemaBefore);
  expect(await applied()).toEqual(names(upTo0011));
  await applyD1Migrations(db, upTo0012);
  expect(await applied()).toEqual(names(upTo0012));
});

it("0013 moves the fan-out out of the writes: drops its trigger, adds the dispatcher's mark past every event there, leaves every row byte-identical, and its rollback undoes exactly that", async () => {
  const upTo0012 = upTo("0012_promote_on_delete.sql");
  await applyD1Migrations(db, upTo0012);
  await db.batch([
    db.prepare("DELETE FROM webhook_subscriptions"),
    db.prepare("DELETE FROM webhook_events"),
    db.prepare(
      "INSERT INTO webhook_subscriptions (url, events, secret) VALUES ('https://r.example', '[\"*\"]', 'v1.x')",
    ),
    db.prepare("UPDATE students SET name = 'Before', version = version + 1 WHERE id = 2"),
  ]);
  const rows = async () => ({
    events: await all(
      "SELECT quote(id), quote(type), quote(data), quote(created_at) FROM webhook_events ORDER BY rowid",
    ),
    deliveries: await all("SELECT * FROM webhook_deliveries ORDER BY id"),
    students: await all(
      "SELECT quote(id), quote(name), quote(version) FROM students ORDER BY rowid",
    ),
  });
  const [schemaBefore, before] = [await schema(), await rows()];
  // 0008's trigger made the event's delivery in the change's own transaction.
  expect(before.deliveries).toHaveLength(1);

  await applyD1Migrations(db, migrations);
  expect(await applied()).toEqual(names(migrations));
  expect(await rows()).toEqual(before);
  expect(await changedSince(schemaBefore)).toEqual([{ type: "table", name: "webhook_fan_out" }]);
  expect((await schema()).map((o) => o.name)).not.toContain("webhook_events_fan_out");
  // The mark stands past the events already fanned out; a new event waits for the dispatcher.
  expect(
    await all(
      "SELECT after_rowid = (SELECT max(rowid) FROM webhook_events) AS past FROM webhook_fan_out",
    ),
  ).toEqual([{ past: 1 }]);
  await db.prepare("UPDATE students SET name = 'After', version = version + 1 WHERE id = 2").run();
  expect(await all("SELECT count(*) AS events FROM webhook_events")).toEqual([{ events: 2 }]);
  expect(await all("SELECT count(*) AS deliveries FROM webhook_deliveries")).toEqual([
    { deliveries: 1 },
  ]);

  await runRollback(rollback0013);
  expect(await schema()).toEqual(schemaBefore);
  expect(await applied()).toEqual(names(upTo0012));
  await applyD1Migrations(db, migrations);
  expect(await applied()).toEqual(names(migrations));
});
