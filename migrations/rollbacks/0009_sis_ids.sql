-- Undoes migrations/0009_sis_ids.sql: puts back 0008's two update triggers, drops the unique
-- indexes and the sis_id columns (SQLite drops a column without a drop-and-recreate of the
-- table, so nothing cascades away, though it rewrites every row), and forgets that 0009 was
-- applied. The SIS ids are lost. It also deletes the Idempotency-Keys that hold a refusal
-- naming its column ({"taken": …}), which the Worker before 0009 would replay as a created
-- record; a retry with such a key is simply made again. Wrangler never runs this file.
DROP TRIGGER IF EXISTS webhooks_student_updated;
CREATE TRIGGER webhooks_student_updated AFTER UPDATE OF version ON students
WHEN NEW.version <> OLD.version AND EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data)
    VALUES ('student.updated', json_object('id', NEW.id, 'fields', json((
      SELECT json_group_array(value) FROM json_each(json_array(
        CASE WHEN OLD.name IS NOT NEW.name THEN 'name' END,
        CASE WHEN OLD.email IS NOT NEW.email THEN 'email' END)) WHERE value IS NOT NULL))));
END;
DROP TRIGGER IF EXISTS webhooks_course_updated;
CREATE TRIGGER webhooks_course_updated AFTER UPDATE OF version ON courses
WHEN NEW.version <> OLD.version AND EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data)
    VALUES ('course.updated', json_object('id', NEW.id, 'fields', json((
      SELECT json_group_array(value) FROM json_each(json_array(
        CASE WHEN OLD.code IS NOT NEW.code THEN 'code' END,
        CASE WHEN OLD.title IS NOT NEW.title THEN 'title' END,
        CASE WHEN OLD.capacity IS NOT NEW.capacity THEN 'capacity' END,
        CASE WHEN OLD.waitlist_capacity IS NOT NEW.waitlist_capacity THEN 'waitlist_capacity' END))
      WHERE value IS NOT NULL))));
END;
DROP INDEX IF EXISTS courses_sis_id_unique;
DROP INDEX IF EXISTS students_sis_id_unique;
ALTER TABLE courses DROP COLUMN sis_id;
ALTER TABLE students DROP COLUMN sis_id;
DELETE FROM idempotency_keys WHERE created LIKE '{"taken"%';
DELETE FROM d1_migrations WHERE name = '0009_sis_ids.sql';
