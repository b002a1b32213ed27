-- Webhooks: subscriptions, and an outbox of events that the database itself writes in the
-- transaction of each change, so that nothing committed goes unannounced and nothing
-- uncommitted is announced (docs/webhooks.md). New tables and triggers only: no existing
-- table or row changes. With no enabled subscription, the triggers write nothing.
-- Undo with migrations/rollbacks/0008_webhooks.sql.

CREATE TABLE webhook_subscriptions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  url TEXT NOT NULL,
  -- A JSON array of event types, or ["*"] for all.
  events TEXT NOT NULL,
  description TEXT,
  -- The signing secret, encrypted (AES-GCM, with the key in the WEBHOOK_SECRET_KEY secret):
  -- a copy of the database alone does not let anyone sign a delivery.
  secret TEXT NOT NULL,
  -- After a rotation, the old secret (encrypted) also signs until previous_secret_until.
  previous_secret TEXT,
  previous_secret_until TEXT,
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  -- Why deliveries stopped: 'gone' (the receiver answered 410) or 'failing' (no delivery
  -- succeeded for three days); NULL while enabled.
  disabled_reason TEXT CHECK (disabled_reason IN ('gone', 'failing')),
  -- The first failed attempt since the last success; NULL while deliveries succeed.
  failing_since TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
-- Every write asks whether any subscription is enabled: this answers without reading the table.
CREATE INDEX webhook_subscriptions_enabled ON webhook_subscriptions (enabled) WHERE enabled = 1;

-- One row per change, written by the triggers below. The id is random, so that a receiver
-- deduplicating on it never mistakes an event of a recreated database for one it has seen.
CREATE TABLE webhook_events (
  id TEXT PRIMARY KEY DEFAULT ('evt_' || lower(hex(randomblob(12)))),
  type TEXT NOT NULL,
  -- The payload's data: ids, statuses, dates and changed field names; never a name or email.
  data TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX webhook_events_created_at ON webhook_events (created_at);

-- One row per event and subscription that wants it. 'pending': not yet handed to the queue;
-- 'queued': on the queue, attempted `attempts` times so far; then 'succeeded' or 'failed'.
CREATE TABLE webhook_deliveries (
  -- A plain rowid: a counter that never reuses an id would cost a write more per delivery, and
  -- an id is only ever used with its subscription's, so reusing a deleted one's confuses no one.
  id INTEGER PRIMARY KEY,
  subscription_id INTEGER NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  event_id TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'queued', 'succeeded', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  -- The receiver's status code in the last attempt; NULL when it gave none (timeout, network).
  last_status INTEGER,
  -- Why the last attempt failed without a status code, or why the delivery was given up.
  last_error TEXT,
  last_attempt_at TEXT,
  next_attempt_at TEXT,
  -- When it was last handed to the queue: a delivery queued long ago and never attempted is
  -- handed again (a lost message).
  queued_at TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX webhook_deliveries_subscription_id_id ON webhook_deliveries (subscription_id, id);
CREATE INDEX webhook_deliveries_event_id ON webhook_deliveries (event_id);
-- The deliveries still to make, for the dispatcher to find without reading the finished ones.
CREATE INDEX webhook_deliveries_unfinished ON webhook_deliveries (state, queued_at)
  WHERE state IN ('pending', 'queued');

-- Each event fans out to the enabled subscriptions that want its type, in the same transaction.
CREATE TRIGGER webhook_events_fan_out AFTER INSERT ON webhook_events
BEGIN
  INSERT INTO webhook_deliveries (subscription_id, event_id)
    SELECT s.id, NEW.id FROM webhook_subscriptions AS s
    WHERE s.enabled = 1 AND EXISTS (SELECT 1 FROM json_each(s.events) WHERE value IN ('*', NEW.type));
END;

CREATE TRIGGER webhooks_student_created AFTER INSERT ON students
WHEN EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data)
    VALUES ('student.created', json_object('id', NEW.id, 'created_at', NEW.created_at));
END;

-- The version moves on only when a value changed (migrations/0004). The data names the
-- fields that changed, never their values.
CREATE TRIGGER webhooks_student_updated AFTER UPDATE OF version ON students
WHEN NEW.version <> OLD.version AND EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data)
    VALUES ('student.updated', json_object('id', NEW.id, 'fields', json((
      SELECT json_group_array(value) FROM json_each(json_array(
        CASE WHEN OLD.name IS NOT NEW.name THEN 'name' END,
        CASE WHEN OLD.email IS NOT NEW.email THEN 'email' END)) WHERE value IS NOT NULL))));
END;

CREATE TRIGGER webhooks_student_deleted AFTER DELETE ON students
WHEN EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data) VALUES ('student.deleted', json_object('id', OLD.id));
END;

CREATE TRIGGER webhooks_course_created AFTER INSERT ON courses
WHEN EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data)
    VALUES ('course.created', json_object('id', NEW.id, 'created_at', NEW.created_at));
END;

CREATE TRIGGER webhooks_course_updated AFTER UPDATE OF version ON courses
WHEN NEW.version <> OLD.version AND EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data)
    VALUES ('course.updated', json_object('id', NEW.id, 'fields', json((
      SELECT json_group_array(value) FROM json_each(json_array(
        CASE WHEN OLD.code IS NOT NEW.code THEN 'code' END,
        CASE WHEN OLD.title IS NOT NEW.title THEN 'title' END,
        CASE WHEN OLD.capacity IS NOT NEW.capacity THEN 'capacity' END,
        CASE WHEN OLD.waitlist_capacity IS NOT NEW.waitlist_capacity THEN 'waitlist_capacity' END))
      WHERE value IS NOT NULL))));
END;

CREATE TRIGGER webhooks_course_deleted AFTER DELETE ON courses
WHEN EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data) VALUES ('course.deleted', json_object('id', OLD.id));
END;

-- An enrollment made: active with a seat, or waiting for one.
CREATE TRIGGER webhooks_enrollment_inserted AFTER INSERT ON student_courses
WHEN EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data) VALUES (
    CASE WHEN NEW.waitlist_seq IS NULL THEN 'enrollment.created' ELSE 'enrollment.waitlisted' END,
    json_object(
      'student_id', NEW.student_id, 'course_id', NEW.course_id,
      'status', CASE WHEN NEW.waitlist_seq IS NULL THEN NEW.status ELSE 'waitlisted' END,
      'waitlist_position', CASE WHEN NEW.waitlist_seq IS NULL THEN NULL ELSE (SELECT count(*) FROM student_courses AS ahead WHERE ahead.course_id = NEW.course_id AND ahead.waitlist_seq <= NEW.waitlist_seq) END,
      'enrolled_at', NEW.enrolled_at, 'dropped_at', NEW.dropped_at));
END;

-- A status change: dropped, re-enrolled (with a seat or in line), or promoted to a seat.
-- Moving up the line changes no row, and so announces nothing.
CREATE TRIGGER webhooks_enrollment_updated AFTER UPDATE OF status, waitlist_seq ON student_courses
WHEN (OLD.status IS NOT NEW.status OR (OLD.waitlist_seq IS NOT NULL AND NEW.waitlist_seq IS NULL))
  AND EXISTS (SELECT 1 FROM webhook_subscriptions WHERE enabled = 1)
BEGIN
  INSERT INTO webhook_events (type, data) VALUES (
    CASE
      WHEN NEW.status = 'dropped' THEN 'enrollment.dropped'
      WHEN OLD.status = 'dropped' AND NEW.waitlist_seq IS NULL THEN 'enrollment.reactivated'
      WHEN OLD.status = 'dropped' THEN 'enrollment.waitlisted'
      ELSE 'enrollment.promoted'
    END,
    json_object(
      'student_id', NEW.student_id, 'course_id', NEW.course_id,
      'status', CASE WHEN NEW.waitlist_seq IS NULL THEN NEW.status ELSE 'waitlisted' END,
      'waitlist_position', CASE WHEN NEW.waitlist_seq IS NULL THEN NULL ELSE (SELECT count(*) FROM student_courses AS ahead WHERE ahead.course_id = NEW.course_id AND ahead.waitlist_seq <= NEW.waitlist_seq) END,
      'enrolled_at', NEW.enrolled_at, 'dropped_at', NEW.dropped_at));
END;
