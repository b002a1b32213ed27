-- Undoes migrations/0010_imports.sql: drops the imports table (the records of imports, not
-- what they applied) and forgets that 0010 was applied. The files stay in R2 until its
-- lifecycle rule removes them. Wrangler never runs this file.
DROP TABLE IF EXISTS imports;
DELETE FROM d1_migrations WHERE name = '0010_imports.sql';
