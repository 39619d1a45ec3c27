ALTER TABLE artifacts DROP COLUMN snapshot_private;
