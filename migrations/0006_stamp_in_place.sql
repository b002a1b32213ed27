-- Fewer rows written per change to an enrollment (D1 bills each row written, index entries
-- included). Until now the stamp triggers of 0003 rewrote every row the Worker had just
-- written, to put the clock's time in updated_at: a second write of the row and of its
-- updated_at index entry. The Worker's statements now write that time themselves (the
-- clock's next value: the later of now and 1 ms past its last), and the triggers, which
-- still move the clock on every change, rewrite the row only when it does not already hold
-- the clock's time. So a change made by SQL by hand, by an older Worker, or one whose stamp
-- the clock overtook (the later rows of one bulk statement) is stamped exactly as before.
-- Replaces two triggers; touches no table, index or row.
-- Undo with migrations/rollbacks/0006_stamp_in_place.sql.

DROP TRIGGER student_courses_stamp_insert;
CREATE TRIGGER student_courses_stamp_insert AFTER INSERT ON student_courses
BEGIN
  UPDATE change_clock SET at = max(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', at, '+0.001 seconds')) WHERE id = 1;
  UPDATE student_courses SET updated_at = (SELECT at FROM change_clock WHERE id = 1)
    WHERE student_id = NEW.student_id AND course_id = NEW.course_id
      AND updated_at IS NOT (SELECT at FROM change_clock WHERE id = 1);
END;

-- Not on updated_at itself, which this trigger writes.
DROP TRIGGER student_courses_stamp_update;
CREATE TRIGGER student_courses_stamp_update AFTER UPDATE OF status, enrolled_at, dropped_at ON student_courses
BEGIN
  UPDATE change_clock SET at = max(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', at, '+0.001 seconds')) WHERE id = 1;
  UPDATE student_courses SET updated_at = (SELECT at FROM change_clock WHERE id = 1)
    WHERE student_id = NEW.student_id AND course_id = NEW.course_id
      AND updated_at IS NOT (SELECT at FROM change_clock WHERE id = 1);
END;
