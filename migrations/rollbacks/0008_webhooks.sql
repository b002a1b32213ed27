-- Undoes migrations/0008_webhooks.sql: drops its triggers and its three tables (subscriptions,
-- events and deliveries, which nothing else refers to) and forgets that 0008 was applied. No
-- other table or row changes. Wrangler never runs this file.
DROP TRIGGER IF EXISTS webhooks_enrollment_updated;
DROP TRIGGER IF EXISTS webhooks_enrollment_inserted;
DROP TRIGGER IF EXISTS webhooks_course_deleted;
DROP TRIGGER IF EXISTS webhooks_course_updated;
DROP TRIGGER IF EXISTS webhooks_course_created;
DROP TRIGGER IF EXISTS webhooks_student_deleted;
DROP TRIGGER IF EXISTS webhooks_student_updated;
DROP TRIGGER IF EXISTS webhooks_student_created;
DROP TRIGGER IF EXISTS webhook_events_fan_out;
DROP TABLE IF EXISTS webhook_deliveries;
DROP TABLE IF EXISTS webhook_events;
DROP TABLE IF EXISTS webhook_subscriptions;
DELETE FROM d1_migrations WHERE name = '0008_webhooks.sql';
