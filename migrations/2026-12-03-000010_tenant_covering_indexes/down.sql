DROP INDEX activities_org_account_idx;
CREATE INDEX activities_org_account_idx ON activities (organization_id, account_id);

DROP INDEX activities_org_type_date_idx;
CREATE INDEX activities_org_type_date_idx ON activities (organization_id, type, activity_date DESC);

DROP INDEX deals_org_pipeline_idx;
