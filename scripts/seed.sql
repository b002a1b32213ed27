-- A small sample data set for local development. Safe to run again: existing rows are kept.
INSERT INTO students (name, email) VALUES
  ('Ada Lovelace', 'ada@example.org'),
  ('Alan Turing', 'alan@example.org'),
  ('Grace Hopper', 'grace@example.org')
ON CONFLICT (email) DO NOTHING;

INSERT INTO courses (code, title) VALUES
  ('CS101', 'Introduction to Computer Science'),
  ('MATH201', 'Linear Algebra'),
  ('HIST110', 'History of Computing')
ON CONFLICT (code) DO NOTHING;
