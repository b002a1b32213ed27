import { introspectWorkflow } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import sampleCourses from "../../scripts/sample-courses.csv?raw";
import sampleEnrollments from "../../scripts/sample-enrollments.csv?raw";
import sample from "../../scripts/sample-students.csv?raw";
import type { Course } from "../../src/courses/responses";
import type { Enrollment } from "../../src/enrollments/responses";
import type { ImportRecord as Import } from "../../src/imports/responses";
import type { Student } from "../../src/students/responses";
import { api, appRequest, countRows, defined, expectProblem, type Page } from "../helpers/api";
import { TEST_TOKENS } from "../helpers/tokens";

// Roster imports end to end: the file goes to R2, the real Workflow applies it in chunks to
// the real D1, and GET /imports/{id} shows its progress and counts.

const upload = (csv: string | Uint8Array, query = "type=students") =>
  api(`/imports?${query}`, {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body: csv,
  });

/** Polls the import until it has finished, as a client would. */
async function finished(id: number): Promise<Import> {
  for (let i = 0; i < 200; i++) {
    const found = (await (await api(`/imports/${id}`)).json()) as Import;
    if (!["queued", "running"].includes(found.state)) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`import ${id} did not finish`);
}

async function importFile(csv: string, query?: string): Promise<Import> {
  const res = await upload(csv, query);
  expect(res.status).toBe(202);
  const queued = (await res.json()) as Import;
  expect(res.headers.get("Location")).toBe(`/imports/${queued.id}`);
  return finished(queued.id);
}

const bySisId = async (sisId: string) =>
  ((await (await api(`/students?sis_id=${sisId}`)).json()) as Page<Student>).data[0];

describe("an import of students", () => {
  it("creates them, upserted by SIS id, and counts each row", async () => {
    const csv =
      "sis_id,name,email\r\nA-1,Ada Lovelace,ada.import@example.org\r\nA-2,Alan Turing,alan.import@example.org\r\n";
    const done = await importFile(csv);
    expect(done).toMatchObject({
      state: "succeeded",
      type: "students",
      rows_processed: 2,
      rows_total: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
      error_count: 0,
      errors: [],
      bytes_processed: csv.length,
    });
    expect(await bySisId("A-2")).toMatchObject({
      name: "Alan Turing",
      email: "alan.import@example.org",
    });

    // The same file again changes nothing; a changed name is an update.
    expect(await importFile(csv)).toMatchObject({ state: "succeeded", unchanged: 2, created: 0 });
    const renamed = await importFile("sis_id,name,email\nA-1,Ada King,ada.import@example.org\n");
    expect(renamed).toMatchObject({ updated: 1, created: 0, unchanged: 0 });
    expect(await bySisId("A-1")).toMatchObject({ name: "Ada King" });
  });

  it("imports the sample file as docs/imports.md says", async () => {
    const done = await importFile(sample);
    expect(done).toMatchObject({ state: "succeeded", created: 2, error_count: 1 });
    expect(done.errors).toEqual([
      { line: 4, column: "email", message: "must be a valid email address" },
    ]);
    expect(await bySisId("S-1002")).toMatchObject({ name: "Hopper, Grace" });
  });

  it("reports each bad row with its line and column, and applies the others", async () => {
    const csv = [
      "name,email,sis_id",
      "Good One,good.one@example.org,B-1",
      ",missing.name@example.org,B-2",
      '"Quoted, Name",not-an-email,B-3',
      "Repeat,repeat@example.org,B-1",
      "",
      "Good Two,good.two@example.org,B-4",
    ].join("\n");
    const done = await importFile(csv);
    expect(done).toMatchObject({
      state: "succeeded",
      rows_processed: 5,
      created: 2,
      error_count: 3,
    });
    expect(done.errors).toEqual([
      { line: 3, column: "name", message: "must not be empty" },
      { line: 4, column: "email", message: "must be a valid email address" },
      { line: 5, column: "sis_id", message: "repeats line 2" },
    ]);
    expect(await bySisId("B-4")).toMatchObject({ name: "Good Two" });
  });

  it("takes a quote inside an unquoted field as part of it", async () => {
    const done = await importFile('sis_id,name,email\nJ-1,Jo "JJ" Smith,jo.jj@example.org\n');
    expect(done).toMatchObject({ state: "succeeded", created: 1, error_count: 0 });
    expect(await bySisId("J-1")).toMatchObject({ name: 'Jo "JJ" Smith' });
  });

  it("fails, naming the line, once the file stops being CSV, and writes nothing of that chunk", async () => {
    const csv = 'sis_id,name,email\nK-1,Fine,k1@example.org\nK-2,"never closed,k2@example.org\n';
    const done = await importFile(csv);
    expect(done).toMatchObject({
      state: "failed",
      failure: "line 3: not valid CSV (CSV_QUOTE_NOT_CLOSED)",
      created: 0,
    });
    expect(await bySisId("K-1")).toBeUndefined();
  });

  it("refuses a row whose email another student has, and says so", async () => {
    await api("/students", { method: "POST", json: { name: "Holder", email: "held@example.org" } });
    const done = await importFile("sis_id,name,email\nC-1,Someone,held@example.org\n");
    expect(done).toMatchObject({ created: 0, error_count: 1 });
    expect(done.errors).toEqual([
      { line: 2, column: "email", message: "is taken by another student" },
    ]);
  });

  it("counts the same in a dry run, and writes no student", async () => {
    const before = await countRows("SELECT count(*) AS n FROM students");
    const done = await importFile(
      "sis_id,name,email\nD-1,Dry Run,dry.run@example.org\n",
      "type=students&dry_run=true",
    );
    expect(done).toMatchObject({ state: "succeeded", dry_run: true, created: 1 });
    expect(await countRows("SELECT count(*) AS n FROM students")).toBe(before);
  });

  it("reads a file far larger than one chunk, naming the lines of rows that span several", async () => {
    // Every seventh name has a quoted line break, which a name may not hold: those rows are
    // refused, on the line they start on, and the lines after them count it.
    const rows = Array.from(
      { length: 12_000 },
      (_, i) =>
        `E-${i},"Student ${i}, ""the ${i % 7 === 0 ? "first\nof" : "one"}""",e${i}@example.org`,
    );
    const done = await importFile(`\ufeffsis_id,name,email\n${rows.join("\r\n")}\n`);
    expect(done).toMatchObject({
      state: "succeeded",
      rows_processed: 12_000,
      created: 12_000 - 1715,
      error_count: 1715,
    });
    const refused = { column: "name", message: "must not contain control characters" };
    expect(done.errors.slice(0, 2)).toEqual([
      { line: 2, ...refused },
      { line: 10, ...refused },
    ]);
    expect(done.errors).toHaveLength(100);
    expect(await bySisId("E-11999")).toMatchObject({ name: 'Student 11999, "the one"' });
  });
});

describe("repeats across chunks", () => {
  it("refuses a SIS id or an email an earlier chunk had, naming its line, in a dry run too", async () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `R-${i},Student ${i},r${i}@example.org`);
    rows.push("R-0,Someone Else,someone.else@example.org", "R-X,Another,r1@example.org");
    const csv = `sis_id,name,email\n${rows.join("\n")}\n`;
    expect(csv.length).toBeGreaterThan(128 * 1024);
    for (const query of ["type=students&dry_run=true", "type=students"]) {
      const done = await importFile(csv, query);
      expect(done).toMatchObject({ state: "succeeded", created: 5_000, error_count: 2 });
      expect(done.errors).toEqual([
        { line: 5_002, column: "sis_id", message: "repeats line 2" },
        { line: 5_003, column: "email", message: "repeats line 3" },
      ]);
    }
    expect(await bySisId("R-0")).toMatchObject({ name: "Student 0" });
    expect(await countRows("SELECT count(*) AS n FROM import_keys")).toBe(0);
  });
});

describe("an import of courses", () => {
  const courseBySisId = async (sisId: string) =>
    ((await (await api(`/courses?sis_id=${sisId}`)).json()) as Page<Course>).data[0];
  const asCourses = "type=courses";

  it("creates them with their limits, upserted by SIS id, and counts each row", async () => {
    const csv =
      'sis_id,code,title,capacity,waitlist_capacity\nM-1,ALG-101,Calculus,30,5\nM-2,GEO-200,"History, Modern",,\n';
    expect(await importFile(csv, asCourses)).toMatchObject({
      state: "succeeded",
      type: "courses",
      created: 2,
      error_count: 0,
    });
    expect(await courseBySisId("M-1")).toMatchObject({
      code: "ALG-101",
      title: "Calculus",
      capacity: 30,
      waitlist_capacity: 5,
    });
    // An empty limit is no limit.
    expect(await courseBySisId("M-2")).toMatchObject({ capacity: null, waitlist_capacity: null });

    expect(await importFile(csv, asCourses)).toMatchObject({ unchanged: 2, created: 0 });
    // A file without the limit columns leaves each course's limits as they are.
    const retitled = await importFile("sis_id,code,title\nM-1,ALG-101,Calculus I\n", asCourses);
    expect(retitled).toMatchObject({ updated: 1, unchanged: 0 });
    expect(await courseBySisId("M-1")).toMatchObject({ title: "Calculus I", capacity: 30 });
  });

  it("imports the sample file as docs/imports.md says", async () => {
    const done = await importFile(sampleCourses, asCourses);
    expect(done).toMatchObject({ state: "succeeded", created: 2, error_count: 1 });
    expect(done.errors).toEqual([
      {
        line: 4,
        column: "capacity",
        message:
          "must be a whole number from 0 to 100000, or null (in a CSV file, empty) for no limit",
      },
    ]);
    expect(await courseBySisId("C-MATH-101")).toMatchObject({
      capacity: 30,
      waitlist_capacity: 10,
    });
  });

  it("reports bad limits, repeated and taken codes by line and column", async () => {
    await api("/courses", { method: "POST", json: { code: "HELD-1", title: "Held" } });
    const csv = [
      "sis_id,code,title,capacity",
      "N-1,NEW-1,Fine,10",
      "N-2,NEW-2,Seats,ten",
      "N-3,new-1,Same code in another case,",
      "N-4,held-1,Taken,",
    ].join("\n");
    const done = await importFile(csv, asCourses);
    expect(done).toMatchObject({ created: 1, error_count: 3 });
    expect(done.errors).toEqual([
      {
        line: 3,
        column: "capacity",
        message:
          "must be a whole number from 0 to 100000, or null (in a CSV file, empty) for no limit",
      },
      { line: 4, column: "code", message: "repeats line 2" },
      { line: 5, column: "code", message: "is taken by another course" },
    ]);
  });

  it("gives the seats a raised capacity frees to the line, in order, as PATCH does", async () => {
    await importFile("sis_id,code,title,capacity\nP-1,SEM-1,Seminar,1\n", asCourses);
    const course = await courseBySisId("P-1");
    const ids: number[] = [];
    for (const n of [1, 2, 3]) {
      const res = await api("/students", {
        method: "POST",
        json: { name: `Waiting ${n}`, email: `waiting.${n}@example.org` },
      });
      const { id } = (await res.json()) as Student;
      ids.push(id);
      await api(`/students/${id}/courses`, { method: "POST", json: { course_id: course?.id } });
    }
    const enrollment = async (id: number | undefined) =>
      (await (await api(`/students/${id}/courses/${course?.id}`)).json()) as Enrollment;
    expect((await enrollment(ids[1])).status).toBe("waitlisted");

    await importFile("sis_id,code,title,capacity\nP-1,SEM-1,Seminar,2\n", asCourses);
    expect(await enrollment(ids[1])).toMatchObject({ status: "active", waitlist_position: null });
    expect(await enrollment(ids[2])).toMatchObject({ status: "waitlisted", waitlist_position: 1 });
    expect(await courseBySisId("P-1")).toMatchObject({ enrolled_count: 2, waitlisted_count: 1 });
  });
});

/** Students <prefix>-S1…n and a course <prefix>-C of `seats` seats and a line of `line`, by import. */
async function roster(prefix: string, students: number, seats: number, line: number) {
  const rows = Array.from(
    { length: students },
    (_, i) => `${prefix}-S${i + 1},Student ${i + 1},${prefix.toLowerCase()}.s${i + 1}@example.org`,
  );
  await importFile(`sis_id,name,email\n${rows.join("\n")}\n`);
  await importFile(
    `sis_id,code,title,capacity,waitlist_capacity\n${prefix}-C,${prefix}-101,Course,${seats},${line}\n`,
    "type=courses",
  );
  const course = ((await (await api(`/courses?sis_id=${prefix}-C`)).json()) as Page<Course>)
    .data[0] as Course;
  /** The enrollment of student <prefix>-S<n> in the course, as the API shows it. */
  const enrollment = async (n: number) => {
    const student = (await bySisId(`${prefix}-S${n}`)) as Student;
    return (await (await api(`/students/${student.id}/courses/${course.id}`)).json()) as Enrollment;
  };
  return { course, enrollment };
}

describe("an import of enrollments", () => {
  const asEnrollments = "type=enrollments";
  const header = "student_sis_id,course_sis_id,status";

  it("imports the sample files as docs/imports.md says", async () => {
    await importFile(sample);
    await importFile(sampleCourses, "type=courses");
    const done = await importFile(sampleEnrollments, asEnrollments);
    expect(done).toMatchObject({ state: "succeeded", created: 3, error_count: 1 });
    expect(done.errors).toEqual([
      { line: 5, column: "student_sis_id", message: "no student has this SIS id" },
    ]);
  });

  it("enrolls, re-enrolls and drops by SIS id, counting each row", async () => {
    const { enrollment } = await roster("EA", 3, 10, 0);
    const first = await importFile(
      `${header}\nEA-S1,EA-C,active\nEA-S2,EA-C,\nEA-S3,EA-C,dropped\n`,
      asEnrollments,
    );
    expect(first).toMatchObject({
      state: "succeeded",
      created: 2,
      unchanged: 1,
      dropped: 0,
      error_count: 0,
    });
    expect(await enrollment(1)).toMatchObject({ status: "active" });

    const again = await importFile(
      `${header}\nEA-S1,EA-C,active\nEA-S2,EA-C,dropped\n`,
      asEnrollments,
    );
    expect(again).toMatchObject({ unchanged: 1, dropped: 1, created: 0 });
    expect(await enrollment(2)).toMatchObject({ status: "dropped" });

    // Without the status column every row enrolls: a dropped enrollment comes back.
    const back = await importFile("student_sis_id,course_sis_id\nEA-S2,EA-C\n", asEnrollments);
    expect(back).toMatchObject({ updated: 1, created: 0 });
    expect(await enrollment(2)).toMatchObject({ status: "active", dropped_at: null });
  });

  it("seats in file order, then the line, then refuses: as the API does", async () => {
    const { course, enrollment } = await roster("EB", 4, 2, 1);
    const csv = `${header}\n${[1, 2, 3, 4].map((n) => `EB-S${n},EB-C,active`).join("\n")}\n`;
    const done = await importFile(csv, asEnrollments);
    expect(done).toMatchObject({ created: 3, error_count: 1 });
    expect(done.errors).toEqual([
      { line: 5, column: "course_sis_id", message: "the course is full, and so is its waitlist" },
    ]);
    expect(await enrollment(2)).toMatchObject({ status: "active" });
    expect(await enrollment(3)).toMatchObject({ status: "waitlisted", waitlist_position: 1 });
    expect(await enrollment(4)).toMatchObject({ code: "enrollment_not_found" });
    expect(
      await countRows("SELECT count(*) AS n FROM student_courses WHERE course_id = ?", course.id),
    ).toBe(3);

    // A drop frees a seat, and the head of the line takes it in the same chunk.
    const dropped = await importFile(`${header}\nEB-S1,EB-C,dropped\n`, asEnrollments);
    expect(dropped).toMatchObject({ dropped: 1 });
    expect(await enrollment(3)).toMatchObject({ status: "active", waitlist_position: null });
  });

  it("fills a course across chunks: exactly its seats, a dense line, the rest refused", async () => {
    const students = 7_000;
    const { course } = await roster("ED", students, 30, 50);
    // Each row says its status, so that the file spans more than one chunk.
    const rows = Array.from({ length: students }, (_, i) => `ED-S${i + 1},ED-C,active`);
    const csv = `${header}\n${rows.join("\r\n")}\r\n`;
    expect(csv.length).toBeGreaterThan(128 * 1024);
    const done = await importFile(csv, asEnrollments);
    expect(done).toMatchObject({ state: "succeeded", created: 80, error_count: students - 80 });
    const seated = await countRows(
      "SELECT count(*) AS n FROM student_courses WHERE course_id = ? AND status = 'active' AND waitlist_seq IS NULL",
      course.id,
    );
    const line = await env.DB.prepare(
      "SELECT s.sis_id FROM student_courses AS e JOIN students AS s ON s.id = e.student_id WHERE e.course_id = ? AND e.waitlist_seq IS NOT NULL ORDER BY e.waitlist_seq",
    )
      .bind(course.id)
      .all<{ sis_id: string }>();
    expect(seated).toBe(30);
    // The line holds the next 50 rows of the file, in the file's order.
    expect(line.results.map((r) => r.sis_id)).toEqual(
      Array.from({ length: 50 }, (_, i) => `ED-S${i + 31}`),
    );
  });

  it("gives a pair repeated chunks apart no place: the seat goes to the next row", async () => {
    const { enrollment } = await roster("EE", 2, 1, 5);
    // Line 2 (with an extra field, which is ignored) and the long row (refused: its course
    // SIS id is too long) do not fit one 128 KiB read; the long row and the two after it
    // do: so the repeat of line 2 comes in the second chunk, before EE-S2.
    const first = `EE-S1,EE-C,dropped,${"z".repeat(100)}`;
    const long = `EE-S9,${"y".repeat(131_000)},active`;
    const csv = `${header}\n${first}\n${long}\nEE-S1,EE-C,active\nEE-S2,EE-C,active\n`;
    const done = await importFile(csv, asEnrollments);
    expect(done.errors.map(({ line, message }) => ({ line, message }))).toEqual([
      { line: 3, message: "must be at most 255 characters" },
      { line: 4, message: "repeats line 2" },
    ]);
    expect(await enrollment(2)).toMatchObject({ status: "active", waitlist_position: null });
  });

  it("reports unknown SIS ids and repeated pairs, and writes nothing in a dry run", async () => {
    await roster("EC", 1, 5, 5);
    const csv = `${header}\nEC-S1,EC-C,active\nNOBODY,EC-C,active\nEC-S1,NOWHERE,active\nEC-S1,EC-C,dropped\nEC-S1,EC-C,maybe\n`;
    const before = await countRows("SELECT count(*) AS n FROM student_courses");
    const dry = await importFile(csv, `${asEnrollments}&dry_run=true`);
    expect(dry).toMatchObject({ dry_run: true, created: 1, error_count: 4 });
    expect(dry.errors).toEqual([
      { line: 3, column: "student_sis_id", message: "no student has this SIS id" },
      { line: 4, column: "course_sis_id", message: "no course has this SIS id" },
      { line: 5, column: "course_sis_id", message: "repeats line 2" },
      { line: 6, column: "status", message: expect.stringContaining("active") },
    ]);
    expect(await countRows("SELECT count(*) AS n FROM student_courses")).toBe(before);
  });
});

describe("a sync of enrollments", () => {
  const sync = (options = "") => `type=enrollments&mode=sync${options}`;
  const enrollAll = (pairs: string[]) =>
    importFile(`student_sis_id,course_sis_id\n${pairs.join("\n")}\n`, "type=enrollments");

  it("drops what the file's courses no longer list, and only that, then fills from the line", async () => {
    const { enrollment } = await roster("SA", 5, 3, 5);
    await importFile("sis_id,code,title\nSA-X,SA-201,Other\n", "type=courses");
    await enrollAll(["SA-S1,SA-C", "SA-S2,SA-C", "SA-S3,SA-C", "SA-S4,SA-C", "SA-S5,SA-X"]);
    expect(await enrollment(4)).toMatchObject({ status: "waitlisted", waitlist_position: 1 });

    const done = await importFile(
      "student_sis_id,course_sis_id\nSA-S1,SA-C\nSA-S4,SA-C\n",
      sync("&max_drop_percent=60"),
    );
    expect(done).toMatchObject({ state: "succeeded", mode: "sync", unchanged: 2, dropped: 2 });
    expect(await enrollment(2)).toMatchObject({ status: "dropped" });
    expect(await enrollment(3)).toMatchObject({ status: "dropped" });
    // The seat freed went to the head of the line.
    expect(await enrollment(4)).toMatchObject({ status: "active", waitlist_position: null });
    // A course the file does not name keeps its enrollments.
    const other = (await (await api("/courses?sis_id=SA-X")).json()) as Page<Course>;
    expect(other.data[0]).toMatchObject({ enrolled_count: 1 });
    expect(await countRows("SELECT count(*) AS n FROM import_pairs")).toBe(0);
  });

  it("fails above max_drop_percent, saying how many, and changes nothing", async () => {
    const { course } = await roster("SB", 4, 10, 0);
    await enrollAll(["SB-S1,SB-C", "SB-S2,SB-C", "SB-S3,SB-C", "SB-S4,SB-C"]);
    const active =
      "SELECT count(*) AS n FROM student_courses WHERE course_id = ? AND status = 'active'";
    const done = await importFile("student_sis_id,course_sis_id\nSB-S1,SB-C\n", sync());
    // The first pass read the whole file: its rows are known, though none applied.
    expect(done).toMatchObject({
      state: "failed",
      max_drop_percent: 10,
      rows_total: 1,
      rows_processed: 0,
      dropped: 0,
      unchanged: 0,
    });
    expect(done.failure).toBe(
      "a sync would drop 3 of the 4 enrollments of the file's courses (75%), more than max_drop_percent (10%); nothing was changed",
    );
    expect(await countRows(active, course.id)).toBe(4);

    // A dry run says what it would drop, and drops nothing.
    const dry = await importFile(
      "student_sis_id,course_sis_id\nSB-S1,SB-C\n",
      sync("&max_drop_percent=100&dry_run=true"),
    );
    expect(dry).toMatchObject({ state: "succeeded", dropped: 3, unchanged: 1 });
    expect(await countRows(active, course.id)).toBe(4);
    expect(await countRows("SELECT count(*) AS n FROM import_pairs")).toBe(0);
  });

  it("is for enrollments only: 400 on query.mode, and no import", async () => {
    const before = await countRows("SELECT count(*) AS n FROM imports");
    const problem = await expectProblem(
      await upload("sis_id,name,email\n", "type=students&mode=sync"),
      400,
      "validation_failed",
    );
    expect(problem.errors).toEqual([
      { path: "query.mode", message: "sync applies to enrollments only" },
    ]);
    expect(await countRows("SELECT count(*) AS n FROM imports")).toBe(before);
  });
});

describe("the import's Workflow", () => {
  it("runs to completion, as the engine reports it, and the import's record says so", async () => {
    const workflows = await introspectWorkflow(env.IMPORTS);
    try {
      const res = await upload("sis_id,name,email\nW-1,Work Flow,w1@example.org\n");
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as Import;
      const [instance, ...others] = await workflows.get();
      expect(others).toEqual([]);
      await defined(instance, "the import's Workflow instance").waitForStatus("complete");
      expect(await (await api(`/imports/${id}`)).json()).toMatchObject({
        state: "succeeded",
        created: 1,
        rows_processed: 1,
      });
    } finally {
      await workflows.dispose();
    }
  });
});

describe("a chunk whose step fails", () => {
  /** Imports `csv` with the step of chunk 1 failing `times` times, retried without delay. */
  async function importFailing(csv: string, times: number) {
    const workflows = await introspectWorkflow(env.IMPORTS);
    try {
      await workflows.modifyAll(async (m) => {
        await m.disableRetryDelays();
        await m.mockStepError({ name: "chunk 1" }, new Error("D1 is unreachable"), times);
      });
      return await importFile(csv);
    } finally {
      await workflows.dispose();
    }
  }

  it("is retried, and applies its chunk once", async () => {
    const done = await importFailing("sis_id,name,email\nG-1,Retried Once,g1@example.org\n", 2);
    expect(done).toMatchObject({ state: "succeeded", created: 1, rows_processed: 1 });
    expect(await countRows("SELECT count(*) AS n FROM students WHERE sis_id = 'G-1'")).toBe(1);
  });

  it("fails the import once its retries run out, saying why, and applies nothing of it", async () => {
    const done = await importFailing("sis_id,name,email\nH-1,Never,h1@example.org\n", 100);
    expect(done).toMatchObject({ state: "failed", failure: "D1 is unreachable", created: 0 });
    expect(await bySisId("H-1")).toBeUndefined();
  });
});

describe("DELETE /imports/{id}", () => {
  it("cancels an import that has not finished: no chunk after, the ones before kept", async () => {
    const rows = Array.from({ length: 12_000 }, (_, i) => `F-${i},Student ${i},f${i}@example.org`);
    const res = await upload(`sis_id,name,email\n${rows.join("\n")}\n`);
    const { id } = (await res.json()) as Import;
    const cancel = await api(`/imports/${id}`, { method: "DELETE" });
    expect(cancel.status).toBe(200);
    const answered = (await cancel.json()) as Import;
    const done = await finished(id);
    // The Workflow may have finished before the cancel arrived; then nothing was cancelled.
    expect(done.state).toBe(answered.state === "cancelled" ? "cancelled" : "succeeded");
    expect(await countRows("SELECT count(*) AS n FROM students WHERE sis_id LIKE 'F-%'")).toBe(
      done.created,
    );
    // Once finished, a cancel changes nothing and answers the import as it is.
    const again = await api(`/imports/${id}`, { method: "DELETE" });
    expect(((await again.json()) as Import).state).toBe(done.state);
  });

  it("cancels between two chunks: the first stays applied and counted, the second never runs", async () => {
    const workflows = await introspectWorkflow(env.IMPORTS);
    try {
      // Chunk 2 fails twice, and its retries wait out the Workflow's delays (its default
      // schedule, 1 s then 2 s locally): the cancel lands then.
      await workflows.modifyAll((m) =>
        m.mockStepError({ name: "chunk 2" }, new Error("D1 is unreachable"), 2),
      );
      const rows = Array.from({ length: 6_000 }, (_, i) => `X-${i},Student ${i},x${i}@example.org`);
      const res = await upload(`sis_id,name,email\n${rows.join("\n")}\n`);
      const { id } = (await res.json()) as Import;
      let seen = (await (await api(`/imports/${id}`)).json()) as Import;
      for (let i = 0; i < 200 && seen.rows_processed === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen = (await (await api(`/imports/${id}`)).json()) as Import;
      }
      expect(seen).toMatchObject({ state: "running" });
      const cancel = await api(`/imports/${id}`, { method: "DELETE" });
      expect(await cancel.json()).toMatchObject({ state: "cancelled" });

      const [instance] = await workflows.get();
      await defined(instance, "the import's Workflow instance").waitForStatus("complete");
      const done = (await (await api(`/imports/${id}`)).json()) as Import;
      expect(done).toMatchObject({ state: "cancelled", created: seen.rows_processed });
      expect(done.created).toBeGreaterThan(0);
      expect(done.created).toBeLessThan(rows.length);
      expect(await countRows("SELECT count(*) AS n FROM students WHERE sis_id LIKE 'X-%'")).toBe(
        done.created,
      );
    } finally {
      await workflows.dispose();
    }
  });

  it("answers 404 import_not_found for an import that does not exist", async () => {
    await expectProblem(
      await api("/imports/999999", { method: "DELETE" }),
      404,
      "import_not_found",
    );
    await expectProblem(await api("/imports/999999"), 404, "import_not_found");
  });
});

describe("POST /imports refuses before accepting", () => {
  it.each([
    ["a missing column", "sis_id,name\nX,Y\n", 'missing the column "email"'],
    ["an unknown column", "sis_id,name,email,age\n", 'has an unknown column "age"'],
    ["a column twice", "sis_id,name,email,name\n", 'has the column "name" twice'],
    ["an empty file", "", "is missing: the file is empty"],
  ])("%s: 400 naming it, and no import", async (_, csv, message) => {
    const before = await countRows("SELECT count(*) AS n FROM imports");
    const problem = await expectProblem(await upload(csv), 400, "validation_failed");
    expect(problem.errors).toContainEqual({ path: "body.header", message });
    expect(await countRows("SELECT count(*) AS n FROM imports")).toBe(before);
  });

  /** A CSV upload whose body streams, so that its Content-Length is what the headers say. */
  const streamed = (headers: Record<string, string>) =>
    new Request("http://api.test/imports?type=students", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${TEST_TOKENS.write}`,
        "Content-Type": "text/csv",
        ...headers,
      },
      body: new Blob(["sis_id,name,email\n"]).stream(),
    });

  it("a file over 100 MiB: 413 before a byte is stored, and no import", async () => {
    const before = await countRows("SELECT count(*) AS n FROM imports");
    const req = streamed({ "Content-Length": String(100 * 1024 * 1024 + 1) });
    await expectProblem(await appRequest(req, env), 413, "payload_too_large");
    expect(await countRows("SELECT count(*) AS n FROM imports")).toBe(before);
  });

  it("a body shorter than its Content-Length: 400 on body, and no import", async () => {
    const before = await countRows("SELECT count(*) AS n FROM imports");
    const req = streamed({ "Content-Length": "100" });
    const problem = await expectProblem(await appRequest(req, env), 400, "validation_failed");
    expect(problem.errors).toEqual([
      { path: "body", message: "ended after 18 bytes, before the 100 its Content-Length declares" },
    ]);
    expect(await countRows("SELECT count(*) AS n FROM imports")).toBe(before);
  });

  it("a file without a Content-Length: 411, and no import", async () => {
    const req = streamed({});
    expect(req.headers.get("Content-Length")).toBeNull();
    await expectProblem(await appRequest(req, env), 411, "length_required");
  });

  it("a body that is not text/csv: 415", async () => {
    const res = await api("/imports?type=students", { method: "POST", json: {} });
    await expectProblem(res, 415, "unsupported_media_type");
  });

  it("an unknown type: 400 on query.type", async () => {
    const problem = await expectProblem(
      await upload("a\n", "type=teachers"),
      400,
      "validation_failed",
    );
    expect(problem.errors?.[0]?.path).toBe("query.type");
  });
});
