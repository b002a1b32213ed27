-- Safe retries of creates (the Idempotency-Key header of POST /students and POST /courses):
-- the outcome of the first create made with each key, per token, kept for 24 hours so that a
-- retry gets the same answer instead of a second record. A new table: no existing table changes. A Cron
-- Trigger deletes rows older than 24 hours (src/scheduled.ts).
-- Undo with migrations/rollbacks/0005_idempotency_keys.sql.
CREATE TABLE idempotency_keys (
  -- SHA-256 (hex) of the caller's token: keys are scoped per token, and no token is stored.
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  -- SHA-256 (hex) of the route and the validated body: a different request under the same key is refused.
  fingerprint TEXT NOT NULL,
  -- The created record as JSON, with its version, or NULL when the create was refused because
  -- the email or code was taken (409): the answer a retry replays.
  created TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (scope, key)
);

-- For the hourly deletion of expired keys.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
