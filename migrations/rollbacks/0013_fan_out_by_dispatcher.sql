-- Undoes migrations/0013_fan_out_by_dispatcher.sql: each event makes its deliveries in its
-- own transaction again, and forgets that 0013 was applied. Run it once the dispatcher has
-- caught up (webhook_fan_out.after_rowid is the newest event's rowid), or the events after
-- that rowid make no deliveries. Wrangler never runs this file.
DROP TABLE IF EXISTS webhook_fan_out;
CREATE TRIGGER webhook_events_fan_out AFTER INSERT ON webhook_events
BEGIN
  INSERT INTO webhook_deliveries (subscription_id, event_id)
    SELECT s.id, NEW.id FROM webhook_subscriptions AS s
    WHERE s.enabled = 1 AND EXISTS (SELECT 1 FROM json_each(s.events) WHERE value IN ('*', NEW.type));
END;
DELETE FROM d1_migrations WHERE name = '0013_fan_out_by_dispatcher.sql';
