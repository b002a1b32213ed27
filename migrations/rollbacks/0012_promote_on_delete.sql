-- Undoes migrations/0012_promote_on_delete.sql: a deleted enrollment's seat stays free again
-- until a drop or a raised capacity fills it, and forgets that 0012 was applied.
-- Wrangler never runs this file.
DROP TRIGGER IF EXISTS student_courses_promote_on_delete;
DELETE FROM d1_migrations WHERE name = '0012_promote_on_delete.sql';
