-- Delta sync (GET /enrollments): every change to an enrollment, in one order a mirror can
-- follow with a cursor. Adds two tables, two indexes and three triggers on student_courses;
-- rebuilds nothing (see docs/migrations.md). Undo with migrations/rollbacks/0003_enrollment_changes.sql.

-- The time of the latest change. Each change moves it on to the current time, or 1 ms past
-- its last value when that is not later, and is stamped with it. D1 runs one transaction at
-- a time, so changes get strictly increasing times in the order they commit, even when two
-- land in the same millisecond or a machine's clock runs behind: a cursor never passes a
-- change still to come. One row; it starts at the latest change already made.
CREATE TABLE change_clock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  at TEXT NOT NULL
);
INSERT INTO change_clock (id, at)
  SELECT 1, coalesce(max(updated_at), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) FROM student_courses;

-- Tombstones: the enrollments deleted, by hand or with their student or course. Kept, so
-- that a mirror learns of them however long it was away.
CREATE TABLE deleted_enrollments (
  student_id INTEGER NOT NULL,
  course_id  INTEGER NOT NULL,
  deleted_at TEXT NOT NULL,
  PRIMARY KEY (student_id, course_id)
);

-- The feed's order, so a page is a range of each index that stops at its LIMIT.
CREATE INDEX student_courses_updated_at_student_id_course_id ON student_courses (updated_at, student_id, course_id);
CREATE INDEX deleted_enrollments_deleted_at_student_id_course_id ON deleted_enrollments (deleted_at, student_id, course_id);

-- The stamping is done here rather than by the Worker, so that no change escapes it: not
-- one made by SQL by hand, nor one by the previous Worker version while a deploy rolls out,
-- nor the deletes that cascade from a student or course. A statement that changes nothing
-- fires nothing, so a refused or repeated request moves no clock.
CREATE TRIGGER student_courses_stamp_insert AFTER INSERT ON student_courses
BEGIN
  UPDATE change_clock SET at = max(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', at, '+0.001 seconds')) WHERE id = 1;
  UPDATE student_courses SET updated_at = (SELECT at FROM change_clock WHERE id = 1)
    WHERE student_id = NEW.student_id AND course_id = NEW.course_id;
END;

-- Not on updated_at itself, which this trigger writes.
CREATE TRIGGER student_courses_stamp_update AFTER UPDATE OF status, enrolled_at, dropped_at ON student_courses
BEGIN
  UPDATE change_clock SET at = max(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', at, '+0.001 seconds')) WHERE id = 1;
  UPDATE student_courses SET updated_at = (SELECT at FROM change_clock WHERE id = 1)
    WHERE student_id = NEW.student_id AND course_id = NEW.course_id;
END;

-- Ids are never reused, so a pair is deleted once; should SQL by hand re-insert and delete
-- one again, its tombstone takes the later time.
CREATE TRIGGER student_courses_tombstone AFTER DELETE ON student_courses
BEGIN
  UPDATE change_clock SET at = max(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', at, '+0.001 seconds')) WHERE id = 1;
  INSERT INTO deleted_enrollments (student_id, course_id, deleted_at)
    VALUES (OLD.student_id, OLD.course_id, (SELECT at FROM change_clock WHERE id = 1))
    ON CONFLICT (student_id, course_id) DO UPDATE SET deleted_at = excluded.deleted_at;
END;
