-- Undoes migrations/0002_student_courses.sql: drops the enrollments table (and its index)
-- and forgets that 0002 was applied, so `wrangler d1 migrations apply` can apply it again.
-- Students and courses are left as they are. Every enrollment is lost: export them first.
-- Wrangler never runs this file (it applies only the top level of migrations/).
DROP TABLE IF EXISTS student_courses;
DELETE FROM d1_migrations WHERE name = '0002_student_courses.sql';
