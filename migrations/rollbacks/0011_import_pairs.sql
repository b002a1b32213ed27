-- Undoes migrations/0011_import_pairs.sql: drops the pairs gathered by sync imports (an
-- import running then fails at its next step) and forgets that 0011 was applied. Wrangler
-- never runs this file.
DROP TABLE IF EXISTS import_pairs;
DELETE FROM d1_migrations WHERE name = '0011_import_pairs.sql';
