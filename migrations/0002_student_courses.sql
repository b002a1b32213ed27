-- Enrollments: which student takes which course, kept after a drop (status 'dropped') so
-- history stays visible. Creates one table and one index and touches nothing else: D1
-- always enforces foreign keys, and rebuilding students or courses could cascade-delete rows.
-- Undo with migrations/rollbacks/0002_student_courses.sql (see docs/migrations.md).

CREATE TABLE student_courses (
  student_id  INTEGER NOT NULL REFERENCES students (id) ON DELETE CASCADE,
  course_id   INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dropped')),
  enrolled_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  dropped_at  TEXT,
  PRIMARY KEY (student_id, course_id)
);

-- The primary key serves a student's course list; this serves a course's roster.
CREATE INDEX student_courses_course_id_student_id ON student_courses (course_id, student_id);
