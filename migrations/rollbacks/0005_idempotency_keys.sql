-- Undoes migrations/0005_idempotency_keys.sql: drops the idempotency keys (retries of creates
-- made before are then no longer recognised) and forgets that 0005 was applied. No other
-- table is touched. Wrangler never runs this file.
DROP TABLE IF EXISTS idempotency_keys;
DELETE FROM d1_migrations WHERE name = '0005_idempotency_keys.sql';
