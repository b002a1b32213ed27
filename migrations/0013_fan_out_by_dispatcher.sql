-- Webhook deliveries are made by the dispatcher (src/webhooks/dispatch.ts), from the events
-- committed since it last ran, rather than by a trigger inside every change. The events
-- themselves are still written by the triggers of 0008, in the change's own transaction, so
-- nothing committed goes unannounced and nothing uncommitted is announced. Why: the fan-out
-- trigger compiled into every statement that can change an enrollment, student or course,
-- subscription or not, and D1 compiles each statement anew (locally on every call): it was
-- about a twentieth of the write mix's CPU (docs/performance.md). Drops one trigger and adds
-- one table of one row; touches no other table, index or row.
-- Undo with migrations/rollbacks/0013_fan_out_by_dispatcher.sql.
DROP TRIGGER webhook_events_fan_out;

-- How far the dispatcher has made deliveries: the rowid of the last event it fanned out.
-- Events get increasing rowids in the order they commit (the hourly clean-up always keeps the
-- newest, so no rowid is handed out twice). Every event already here was fanned out by 0008's
-- trigger.
CREATE TABLE webhook_fan_out (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  after_rowid INTEGER NOT NULL
);
INSERT INTO webhook_fan_out (id, after_rowid) SELECT 1, coalesce(max(rowid), 0) FROM webhook_events;
