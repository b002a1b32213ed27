-- Undoes migrations/0007_seats_and_waitlists.sql: drops its indexes and columns (SQLite drops
-- a column without a drop-and-recreate of the table, so no enrollment cascades away, though
-- it does rewrite every row) and forgets that 0007 was applied. Waiting enrollments would
-- read as active without their column, so they are dropped first. Wrangler never runs this
-- file.
UPDATE student_courses
  SET status = 'dropped', waitlist_seq = NULL, dropped_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE waitlist_seq IS NOT NULL;
DROP INDEX IF EXISTS student_courses_waitlist;
DROP INDEX IF EXISTS student_courses_seats;
ALTER TABLE student_courses DROP COLUMN waitlist_seq;
ALTER TABLE courses DROP COLUMN waitlist_capacity;
ALTER TABLE courses DROP COLUMN capacity;
DELETE FROM d1_migrations WHERE name = '0007_seats_and_waitlists.sql';
