-- Tenant-prefixed covering indexes for the questions asked most (pipeline by stage, win rate, rep
-- leaderboards, activity counts, last touch per account). Every analytics query is filtered by the
-- RLS policy on organization_id, deleted_at and, for activities, private_to: with those columns in
-- the index next to what the query reads, the policy is checked inside an index-only scan of the
-- organization's range, so a tenant's query reads about as much as the same query on a database
-- holding that organization alone. Without them each such query is a bitmap heap scan of the
-- organization's rows, about twice the cost of the single-tenant sequential scan.
-- (Index-only scans need the visibility map, which autovacuum keeps.)

CREATE INDEX deals_org_pipeline_idx ON deals (organization_id, is_closed, stage)
    INCLUDE (amount, is_won, close_date, owner_id, deleted_at);

DROP INDEX activities_org_type_date_idx;
CREATE INDEX activities_org_type_date_idx ON activities (organization_id, type, activity_date DESC)
    INCLUDE (deleted_at, private_to);

DROP INDEX activities_org_account_idx;
CREATE INDEX activities_org_account_idx ON activities (organization_id, account_id)
    INCLUDE (type, activity_date, deleted_at, private_to);
