-- The analytics boundary (DESIGN §4). Agent/explorer SQL runs as `revtops_analytics`: a LOGIN role
-- that is a member of nothing, owns nothing, may SELECT only the analytics relations and EXECUTE
-- only revtops_current_org(). Row-level security binds every row to the organization whose id the
-- server signed for the current transaction; a forged `app.org_id` without a valid signature
-- yields NULL, so zero rows.
--
-- Creating a role needs CREATEROLE (or superuser). When the migrating login is a plain owner,
-- a database administrator must create the role once beforehand:
--     CREATE ROLE revtops_analytics LOGIN NOINHERIT NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD '…';

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'revtops_analytics') THEN
        IF NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
            RAISE EXCEPTION 'role revtops_analytics is missing and % cannot create roles', current_user
                USING HINT = 'As an administrator run: CREATE ROLE revtops_analytics LOGIN NOINHERIT NOBYPASSRLS PASSWORD ''…''';
        END IF;
        CREATE ROLE revtops_analytics LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
    IF (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
        -- Backstops in case a query escapes the per-transaction settings.
        ALTER ROLE revtops_analytics SET statement_timeout = '30s';
        ALTER ROLE revtops_analytics SET idle_in_transaction_session_timeout = '60s';
        ALTER ROLE revtops_analytics SET lock_timeout = '2s';
    END IF;
END;
$$;

-- The key the server signs organization ids with. The analytics role has no privilege on this table.
INSERT INTO app_secrets (name, value)
VALUES ('analytics_org_signing_key', public.gen_random_bytes(32))
ON CONFLICT (name) DO NOTHING;

-- Returns the organization id bound to this transaction, or NULL unless its signature verifies.
CREATE FUNCTION revtops_current_org() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org text := current_setting('app.org_id', true);
    sig text := current_setting('app.org_sig', true);
    key bytea;
BEGIN
    IF org IS NULL OR sig IS NULL OR org = '' OR sig = '' THEN
        RETURN NULL;
    END IF;
    SELECT s.value INTO key FROM public.app_secrets s WHERE s.name = 'analytics_org_signing_key';
    IF key IS NULL THEN
        RETURN NULL;
    END IF;
    IF encode(public.hmac(convert_to(org, 'UTF8'), key, 'sha256'), 'hex') = sig THEN
        RETURN org::uuid;
    END IF;
    RETURN NULL;
EXCEPTION WHEN others THEN
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION revtops_current_org() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION revtops_current_org() TO revtops_analytics;

-- People who own records: members and CRM-only owners, without credentials or auth subjects.
CREATE VIEW reps WITH (security_invoker = true) AS
SELECT id, organization_id, name, email, role, status, source_system, source_id, created_at
FROM users
WHERE deleted_at IS NULL;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['accounts', 'contacts', 'deals', 'pipeline_stages', 'activities'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY analytics_tenant ON %I FOR SELECT TO revtops_analytics '
            'USING (organization_id = (SELECT revtops_current_org()) AND deleted_at IS NULL)', t);
        EXECUTE format('GRANT SELECT ON %I TO revtops_analytics', t);
    END LOOP;
END;
$$;

-- users: readable only through the `reps` view, and only these columns.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY analytics_tenant ON users FOR SELECT TO revtops_analytics
    USING (organization_id = (SELECT revtops_current_org()));
GRANT SELECT (id, organization_id, name, email, role, status, source_system, source_id, created_at, deleted_at)
    ON users TO revtops_analytics;
GRANT SELECT ON reps TO revtops_analytics;
GRANT USAGE ON SCHEMA public TO revtops_analytics;

-- The owner keeps bypassing RLS (it is not FORCEd), so application queries are unaffected.

-- Shared-role hygiene, possible only for a superuser: hide other sessions' query text and keep
-- the analytics role away from signalling, advisory locks and temporary tables.
DO $$
DECLARE f text;
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        REVOKE SELECT ON pg_catalog.pg_stat_activity FROM PUBLIC;
        EXECUTE format('GRANT SELECT ON pg_catalog.pg_stat_activity TO %I', current_user);
        FOREACH f IN ARRAY ARRAY[
            'pg_catalog.pg_stat_get_activity(integer)',
            'pg_catalog.pg_stat_get_backend_activity(integer)',
            'pg_catalog.pg_cancel_backend(integer)',
            'pg_catalog.pg_terminate_backend(integer, bigint)',
            'pg_catalog.pg_advisory_lock(bigint)',
            'pg_catalog.pg_advisory_xact_lock(bigint)',
            'pg_catalog.pg_advisory_lock_shared(bigint)',
            'pg_catalog.pg_try_advisory_lock(bigint)',
            'pg_catalog.pg_try_advisory_xact_lock(bigint)',
            'pg_catalog.pg_advisory_lock(integer, integer)',
            'pg_catalog.pg_advisory_xact_lock(integer, integer)',
            'pg_catalog.pg_sleep(double precision)',
            'pg_catalog.pg_sleep_for(interval)',
            'pg_catalog.pg_sleep_until(timestamp with time zone)'
        ] LOOP
            EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, current_user);
        END LOOP;
    END IF;
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       OR pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE') THEN
        EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
        EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO %I', current_database(), current_user);
    END IF;
END;
$$;
