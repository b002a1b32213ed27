-- Undoes migrations/0004_resource_versions.sql: drops the version columns (SQLite drops a
-- column in place, without rebuilding the table, so no enrollment cascades away) and forgets
-- that 0004 was applied. Every other byte stays as it is. Wrangler never runs this file.
ALTER TABLE students DROP COLUMN version;
ALTER TABLE courses DROP COLUMN version;
DELETE FROM d1_migrations WHERE name = '0004_resource_versions.sql';
