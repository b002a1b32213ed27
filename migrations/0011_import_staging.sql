-- What a running import remembers of its file beyond one chunk (src/imports/, docs/imports.md),
-- let go when the import ends, and the count of the file's rows once it is known. Adds two
-- tables and a column; touches no row. Undo with migrations/rollbacks/0011_import_staging.sql.

-- The rows of the file past its header: known once a sync's first pass or any import's last
-- chunk has read them all; NULL until then (and for every import before 0011).
ALTER TABLE imports ADD COLUMN rows_total INTEGER;

-- The values of a file's unique columns (a SIS id, an email, a code, a student and course
-- pair) with the line each first appeared on, so that a later line repeating one is an error
-- even chunks apart.
CREATE TABLE import_keys (
  import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  line INTEGER NOT NULL,
  PRIMARY KEY (import_id, name, value)
);

-- The pairs of student and course a sync's file lists, gathered in a first pass over the
-- file, so that what the sync would drop is counted, and refused above its threshold, before
-- anything changes.
CREATE TABLE import_pairs (
  import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  course_sis_id TEXT NOT NULL,
  student_sis_id TEXT NOT NULL,
  PRIMARY KEY (import_id, course_sis_id, student_sis_id)
);
