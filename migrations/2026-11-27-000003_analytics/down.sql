DROP VIEW IF EXISTS reps;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['accounts', 'contacts', 'deals', 'pipeline_stages', 'activities', 'users'] LOOP
        EXECUTE format('DROP POLICY IF EXISTS analytics_tenant ON %I', t);
        EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
        EXECUTE format('REVOKE ALL ON %I FROM revtops_analytics', t);
    END LOOP;
END;
$$;
DROP FUNCTION IF EXISTS revtops_current_org();
DELETE FROM app_secrets WHERE name = 'analytics_org_signing_key';
REVOKE USAGE ON SCHEMA public FROM revtops_analytics;
