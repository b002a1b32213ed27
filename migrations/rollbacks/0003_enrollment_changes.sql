-- Undoes migrations/0003_enrollment_changes.sql: drops the triggers and the index it put on
-- student_courses, the change clock and the tombstones of deleted enrollments, and forgets
-- that 0003 was applied, so `wrangler d1 migrations apply` can apply it again. Students,
-- courses and enrollments are left as they are. Wrangler never runs this file.
DROP TRIGGER IF EXISTS student_courses_stamp_insert;
DROP TRIGGER IF EXISTS student_courses_stamp_update;
DROP TRIGGER IF EXISTS student_courses_tombstone;
DROP INDEX IF EXISTS student_courses_updated_at_student_id_course_id;
DROP TABLE IF EXISTS deleted_enrollments;
DROP TABLE IF EXISTS change_clock;
DELETE FROM d1_migrations WHERE name = '0003_enrollment_changes.sql';
