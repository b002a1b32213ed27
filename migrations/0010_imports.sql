-- Roster imports (src/imports/, docs/imports.md): one row per uploaded CSV file, which a
-- Workflow applies in chunks from R2. Each chunk's writes and this row's progress are one
-- D1 batch, so the row always says exactly what has been applied. Adds a table only.
-- Undo with migrations/rollbacks/0010_imports.sql.
CREATE TABLE imports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL CHECK (type IN ('students', 'courses', 'enrollments')),
  mode TEXT NOT NULL DEFAULT 'upsert' CHECK (mode IN ('upsert', 'sync')),
  dry_run INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1)),
  max_drop_percent INTEGER NOT NULL DEFAULT 10 CHECK (max_drop_percent BETWEEN 0 AND 100),
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  -- The file in R2, and how far the chunks applied so far reach into it.
  object_key TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  bytes_processed INTEGER NOT NULL DEFAULT 0,
  lines_processed INTEGER NOT NULL DEFAULT 0,
  rows_processed INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  unchanged INTEGER NOT NULL DEFAULT 0,
  dropped INTEGER NOT NULL DEFAULT 0,
  error_count INTEGER NOT NULL DEFAULT 0,
  -- The first 100 errors, as a JSON array of {line, column, message}: never a row's content.
  errors TEXT NOT NULL DEFAULT '[]',
  -- Why a failed import stopped; NULL otherwise.
  failure TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  started_at TEXT,
  finished_at TEXT
);
