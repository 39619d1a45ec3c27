DROP POLICY analytics_tenant ON activities;
CREATE POLICY analytics_tenant ON activities FOR SELECT TO revtops_analytics
    USING (organization_id = (SELECT revtops_current_org()) AND deleted_at IS NULL);
DROP FUNCTION IF EXISTS revtops_current_user();
DROP INDEX IF EXISTS activities_private_to_idx;
ALTER TABLE activities DROP COLUMN private_to, DROP COLUMN is_private;
ALTER TABLE integrations DROP CONSTRAINT integrations_credential_pair_check;
ALTER TABLE integrations DROP COLUMN credential_kind, DROP COLUMN shared;
