-- Seat limits and waitlists (registration day). Adds columns and indexes only, and rebuilds
-- nothing: every existing row keeps every byte, and NULL in each new column means what the
-- API meant before (no seat limit, no limit on the line, nobody waiting).
-- Undo with migrations/rollbacks/0007_seats_and_waitlists.sql.

-- Seats, and places in line; NULL: unlimited (a CHECK passes NULL).
ALTER TABLE courses ADD COLUMN capacity INTEGER CHECK (capacity BETWEEN 0 AND 100000);
ALTER TABLE courses ADD COLUMN waitlist_capacity INTEGER CHECK (waitlist_capacity BETWEEN 0 AND 100000);

-- An enrollment waiting for a seat: status stays 'active' (the CHECK of 0002 admits no other
-- value without a rebuild) and waitlist_seq holds its place, increasing in the order the
-- database accepted the requests. Its position is 1 + those waiting ahead of it, so the
-- positions are 1…n with no gap whoever leaves, without renumbering anyone.
ALTER TABLE student_courses ADD COLUMN waitlist_seq INTEGER
  CHECK (waitlist_seq IS NULL OR status = 'active');

-- Counting a course's taken seats, and finding the head of its line and the back of it,
-- each read only the entries they count or find.
CREATE INDEX student_courses_seats ON student_courses (course_id)
  WHERE status = 'active' AND waitlist_seq IS NULL;
CREATE UNIQUE INDEX student_courses_waitlist ON student_courses (course_id, waitlist_seq)
  WHERE waitlist_seq IS NOT NULL;
