-- Undoes migrations/0006_stamp_in_place.sql: puts back 0003's stamp triggers, which rewrite
-- every changed row with the clock's time, and forgets that 0006 was applied. The stamps
-- already written stay as they are (they are the clock's times either way). Wrangler never
-- runs this file.
DROP TRIGGER IF EXISTS student_courses_stamp_insert;
DROP TRIGGER IF EXISTS student_courses_stamp_update;
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

DELETE FROM d1_migrations WHERE name = '0006_stamp_in_place.sql';
