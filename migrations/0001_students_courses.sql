-- Students and courses: the entities enrollment rests on.
-- AUTOINCREMENT so that an id, once deleted, is never handed to another record
-- (clients keep ids in their own systems).
-- created_at defaults to ISO-8601 UTC with milliseconds, e.g. 2026-11-22T10:00:00.000Z,
-- so rows inserted by plain SQL get one too.

CREATE TABLE students (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL,
  email      TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE courses (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  code       TEXT NOT NULL UNIQUE,
  title      TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
