-- The identifiers a school's student information system already gives its students and
-- courses (sis_id), so that an import can match rows by them. Adds a column and a unique
-- index to each table; rebuilds nothing, so every existing row keeps every byte, and NULL
-- means "no SIS id". The indexes hold only the rows that have one: a school that does not use
-- SIS ids pays no index write per insert.
-- The two update triggers of 0008 are replaced, unchanged but for naming a changed sis_id in
-- the event's fields. Undo with migrations/rollbacks/0009_sis_ids.sql.

-- Compared exactly, case included: a SIS id is opaque, unlike an email or a course code.
ALTER TABLE students ADD COLUMN sis_id TEXT CHECK (length(sis_id) BETWEEN 1 AND 255);
ALTER TABLE courses ADD COLUMN sis_id TEXT CHECK (length(sis_id) BETWEEN 1 AND 255);
CREATE UNIQUE INDEX students_sis_id_unique ON students (sis_id) WHERE sis_id IS NOT NULL;
CREATE UNIQUE INDEX courses_sis_id_unique ON courses (sis_id) WHERE sis_id IS NOT NULL;

DROP TRIGGER webhooks_student_updated;
CREATE TRIGGER webhooks_student_updated AFTER UPDATE OF version ON students
WHEN NEW.version <> OLD.version AND EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data)
    VALUES ('student.updated', json_object('id', NEW.id, 'fields', json((
      SELECT json_group_array(value) FROM json_each(json_array(
        CASE WHEN OLD.name IS NOT NEW.name THEN 'name' END,
        CASE WHEN OLD.email IS NOT NEW.email THEN 'email' END,
        CASE WHEN OLD.sis_id IS NOT NEW.sis_id THEN 'sis_id' END)) WHERE value IS NOT NULL))));
END;

DROP TRIGGER webhooks_course_updated;
CREATE TRIGGER webhooks_course_updated AFTER UPDATE OF version ON courses
WHEN NEW.version <> OLD.version AND EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data)
    VALUES ('course.updated', json_object('id', NEW.id, 'fields', json((
      SELECT json_group_array(value) FROM json_each(json_array(
        CASE WHEN OLD.code IS NOT NEW.code THEN 'code' END,
        CASE WHEN OLD.title IS NOT NEW.title THEN 'title' END,
        CASE WHEN OLD.capacity IS NOT NEW.capacity THEN 'capacity' END,
        CASE WHEN OLD.waitlist_capacity IS NOT NEW.waitlist_capacity THEN 'waitlist_capacity' END,
        CASE WHEN OLD.sis_id IS NOT NEW.sis_id THEN 'sis_id' END))
      WHERE value IS NOT NULL))));
END;
