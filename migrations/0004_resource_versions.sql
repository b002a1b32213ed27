-- Optimistic concurrency (PATCH with If-Match): each student and course gets a version,
-- sent as its ETag and moved on by every update that changes a field. Adds one column to
-- each table and rebuilds nothing (see docs/migrations.md); existing rows start at 1.
-- Undo with migrations/rollbacks/0004_resource_versions.sql.
ALTER TABLE students ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE courses ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
