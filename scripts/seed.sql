-- A small sample data set for local development. Safe to run again: rows that exist are
-- skipped without an insert attempt, so no AUTOINCREMENT id is spent on a re-run.
INSERT INTO students (name, email)
SELECT v.column1, v.column2
FROM (VALUES
  ('Ada Lovelace', 'ada@example.org'),
  ('Alan Turing', 'alan@example.org'),
  ('Grace Hopper', 'grace@example.org')) AS v
WHERE v.column2 NOT IN (SELECT email FROM students);

INSERT INTO courses (code, title)
SELECT v.column1, v.column2
FROM (VALUES
  ('CS101', 'Introduction to Computer Science'),
  ('MATH201', 'Linear Algebra'),
  ('HIST110', 'History of Computing')) AS v
WHERE v.column1 NOT IN (SELECT code FROM courses);
