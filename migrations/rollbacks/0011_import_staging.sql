-- Undoes migrations/0011_import_staging.sql: drops what running imports remember of their
-- files (an import running then fails at its next step) and the count of their rows, and
-- forgets that 0011 was applied.
-- Wrangler never runs this file.
DROP TABLE IF EXISTS import_pairs;
DROP TABLE IF EXISTS import_keys;
ALTER TABLE imports DROP COLUMN rows_total;
DELETE FROM d1_migrations WHERE name = '0011_import_staging.sql';
