import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { database } from "../../src/db/client";
import { applyChunk } from "../../src/imports/apply";
import { columnIndex } from "../../src/imports/columns";
import { findImport, insertImport } from "../../src/imports/queries";
import { prepareStudents } from "../../src/imports/students";

// A Workflow step can fail after its batch committed (the engine never saw it end) and be
// retried: the chunk's batch then runs a second time on the database it already changed.
// Two guards stop it, each enough alone: the rows are written only when the batch's progress
// update applied, and the chunk's keys, remembered by the first run, mark its rows as
// repeats. The real local D1, the import's own statements, no Workflow: the retry is by hand.

it("applies a chunk once when its step is retried after the batch committed", async () => {
  const db = database(env.DB);
  const header = "sis_id,name,email\n";
  const { id } = await insertImport(
    db,
    { type: "students", mode: "upsert", max_drop_percent: 10, dry_run: false },
    { objectKey: "imports/retried.csv", size: 100 },
  );
  await env.DB.prepare("UPDATE imports SET state = 'running', bytes_processed = ? WHERE id = ?")
    .bind(header.length, id)
    .run();
  const rows = [
    { line: 2, fields: ["RT-1", "Retried Once", "rt1@example.org"] },
    { line: 3, fields: ["RT-2", "Retried Twice", "not an email"] },
  ];
  const progress = { from: header.length, to: 100, lines: 2, records: 2 };
  const step = () =>
    applyChunk(
      db,
      { id, dryRun: false },
      prepareStudents(rows, columnIndex("students", ["sis_id", "name", "email"])),
      progress,
    );

  expect(await step()).toBe("running");
  // Renamed through the API between the two runs: the retry must not undo it.
  await env.DB.prepare("UPDATE students SET name = 'Renamed Since' WHERE sis_id = 'RT-1'").run();
  expect(await step()).toBe("running");

  expect(await findImport(db, id)).toMatchObject({
    rows_processed: 2,
    created: 1,
    updated: 0,
    unchanged: 0,
    error_count: 1,
  });
  const { results } = await env.DB.prepare(
    "SELECT name FROM students WHERE sis_id LIKE 'RT-%'",
  ).all<{ name: string }>();
  expect(results).toEqual([{ name: "Renamed Since" }]);
});
