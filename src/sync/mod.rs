//! The sync engine: a queue of `sync_runs`, workers, the scheduler.
