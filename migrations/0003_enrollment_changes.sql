-- Delta sync (GET /enrollments): every change to an enrollment, in one order a mirror can
-- follow with a cursor. Adds two tables and two indexes; rebuilds nothing (see docs/migrations.md).
-- Undo with migrations/rollbacks/0003_enrollment_changes.sql.

-- The time every write stamps on the enrollments it changes (updated_at, deleted_at): each
-- write moves it on to the current time, or at least 1 ms past its last value. So changes
-- get strictly increasing times in the order they commit, even when two land in the same
-- millisecond or a machine's clock runs behind: a cursor never misses one. One row.
CREATE TABLE change_clock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at TEXT NOT NULL
);
INSERT INTO change_clock (id, at)
  SELECT 1, coalesce(max(updated_at), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) FROM student_courses;

-- Tombstones: the enrollments that went with a deleted student or course. Kept, so that a
-- mirror learns of them however long it was away. Ids are never reused, so a pair is here once.
CREATE TABLE deleted_enrollments (
  student_id INTEGER NOT NULL,
  course_id  INTEGER NOT NULL,
  deleted_at TEXT NOT NULL,
  PRIMARY KEY (student_id, course_id)
);

-- The feed's order, so a page is a range of each index that stops at its LIMIT.
CREATE INDEX student_courses_updated_at_student_id_course_id ON student_courses (updated_at, student_id, course_id);
CREATE INDEX deleted_enrollments_deleted_at_student_id_course_id ON deleted_enrollments (deleted_at, student_id, course_id);
