-- Undoes migrations/0004_resource_versions.sql: drops the version triggers and columns
-- (SQLite drops a column without a drop-and-recreate of the table, so no enrollment cascades
-- away, though it does rewrite every row) and forgets that 0004 was applied. Every other byte
-- stays as it is. Wrangler never runs this file.
DROP TRIGGER IF EXISTS students_version;
DROP TRIGGER IF EXISTS courses_version;
ALTER TABLE students DROP COLUMN version;
ALTER TABLE courses DROP COLUMN version;
DELETE FROM d1_migrations WHERE name = '0004_resource_versions.sql';
