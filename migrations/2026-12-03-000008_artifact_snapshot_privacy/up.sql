-- A saved snapshot holds what its creator could see when it was taken, which may include their
-- private calendar events. Such a snapshot is shown only to its creator; everyone else gets the
-- artifact's queries re-run as themselves. Snapshots taken before this column existed are
-- treated as private (the safe reading): colleagues see them re-run.
ALTER TABLE artifacts ADD COLUMN snapshot_private boolean NOT NULL DEFAULT true;
