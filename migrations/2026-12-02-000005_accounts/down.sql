DROP TABLE one_time_links;
ALTER TABLE users DROP COLUMN sessions_valid_after;
