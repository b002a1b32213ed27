-- A seat freed by deleting an enrollment goes to the head of its course's line, as a drop's
-- does (src/enrollments/queries.ts, promoteHead). Deleting a student deletes their
-- enrollments (ON DELETE CASCADE); until now the seats they held stayed free while others
-- waited, and the next enroll took one ahead of the line. Not when the course itself is being
-- deleted (its row is gone by then): its line goes with it. The promotion is an update like
-- any other, so the change feed and the webhooks announce it. Adds one trigger; touches no
-- table, index or row. Undo with migrations/rollbacks/0012_promote_on_delete.sql.
CREATE TRIGGER student_courses_promote_on_delete AFTER DELETE ON student_courses
WHEN OLD.status = 'active' AND OLD.waitlist_seq IS NULL
  AND EXISTS (SELECT 1 FROM courses WHERE id = OLD.course_id)
BEGIN
  UPDATE student_courses
    SET waitlist_seq = NULL,
      enrolled_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
      updated_at = max(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', (SELECT at FROM change_clock WHERE id = 1), '+0.001 seconds'))
    WHERE course_id = OLD.course_id
      AND waitlist_seq = (SELECT min(line.waitlist_seq) FROM student_courses AS line WHERE line.course_id = OLD.course_id AND line.waitlist_seq IS NOT NULL)
      AND (SELECT c.capacity IS NULL OR (SELECT count(*) FROM student_courses AS taken WHERE taken.course_id = c.id AND taken.status = 'active' AND taken.waitlist_seq IS NULL) < c.capacity FROM courses AS c WHERE c.id = OLD.course_id);
END;
