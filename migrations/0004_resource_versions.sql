-- Optimistic concurrency (PATCH with If-Match): each student and course gets a version,
-- sent as its ETag and moved on by every update that changes a field. Adds one column and
-- one trigger to each table and rebuilds nothing (see docs/migrations.md); existing rows
-- start at 1.
-- Undo with migrations/rollbacks/0004_resource_versions.sql.
ALTER TABLE students ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE courses ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- The Worker moves the version on in its own UPDATE. These move it when anything else
-- changes a field (SQL by hand, a script), so a client's ETag never names a state that is
-- gone: no stale 304, no If-Match that overwrites a fix it never saw.
CREATE TRIGGER students_version AFTER UPDATE OF name, email ON students
  WHEN NEW.version = OLD.version AND (NEW.name IS NOT OLD.name OR NEW.email IS NOT OLD.email)
BEGIN
  UPDATE students SET version = OLD.version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER courses_version AFTER UPDATE OF code, title ON courses
  WHEN NEW.version = OLD.version AND (NEW.code IS NOT OLD.code OR NEW.title IS NOT OLD.title)
BEGIN
  UPDATE courses SET version = OLD.version + 1 WHERE id = NEW.id;
END;
