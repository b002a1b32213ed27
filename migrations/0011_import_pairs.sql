-- Sync imports of enrollments (src/imports/sync.ts, docs/imports.md): the pairs of student
-- and course a file lists, gathered in a first pass over the file, so that what a sync would
-- drop is counted, and refused above its threshold, before anything changes. Rows live while
-- their import runs. Adds a table only. Undo with migrations/rollbacks/0011_import_pairs.sql.
CREATE TABLE import_pairs (
  import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  course_sis_id TEXT NOT NULL,
  student_sis_id TEXT NOT NULL,
  PRIMARY KEY (import_id, course_sis_id, student_sis_id)
);
