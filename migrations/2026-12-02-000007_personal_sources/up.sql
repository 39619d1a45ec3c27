-- Personal sources (a member's calendar) and direct provider credentials.
--
-- Privacy is enforced like tenancy (DESIGN §4): the server signs the asking user next to the
-- organization, revtops_current_user() returns that user only when the signature verifies, and
-- the activities policy admits a row with `private_to` only for that user. A query bound to an
-- organization but no user (or a forged one) sees no private row.

-- Whether a member shares their calendar with the organization (private events never are).
ALTER TABLE integrations ADD COLUMN shared boolean NOT NULL DEFAULT false;
-- Direct credentials say which kind they are; the secret itself is only in credential_ciphertext.
ALTER TABLE integrations ADD COLUMN credential_kind text
    CHECK (credential_kind IN ('hubspot_private_app', 'slack_bot_token', 'salesforce_client_credentials'));
ALTER TABLE integrations ADD CONSTRAINT integrations_credential_pair_check
    CHECK ((credential_kind IS NULL) = (credential_ciphertext IS NULL));

ALTER TABLE activities ADD COLUMN is_private boolean NOT NULL DEFAULT false;
ALTER TABLE activities ADD COLUMN private_to uuid REFERENCES users (id) ON DELETE CASCADE;
CREATE INDEX activities_private_to_idx ON activities (private_to) WHERE private_to IS NOT NULL;

-- The user bound to this transaction, or NULL unless the organization's signature and the user's
-- (over the organization and the user together) both verify.
CREATE FUNCTION revtops_current_user() RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org uuid := public.revtops_current_org();
    usr text := current_setting('app.user_id', true);
    sig text := current_setting('app.user_sig', true);
    key bytea;
BEGIN
    IF org IS NULL OR usr IS NULL OR sig IS NULL OR usr = '' OR sig = '' THEN
        RETURN NULL;
    END IF;
    SELECT s.value INTO key FROM public.app_secrets s WHERE s.name = 'analytics_org_signing_key';
    IF key IS NULL THEN
        RETURN NULL;
    END IF;
    IF encode(public.hmac(convert_to('user:' || org::text || ':' || usr, 'UTF8'), key, 'sha256'), 'hex') = sig THEN
        RETURN usr::uuid;
    END IF;
    RETURN NULL;
EXCEPTION WHEN others THEN
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION revtops_current_user() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION revtops_current_user() TO revtops_analytics;

DROP POLICY analytics_tenant ON activities;
CREATE POLICY analytics_tenant ON activities FOR SELECT TO revtops_analytics
    USING (organization_id = (SELECT revtops_current_org()) AND deleted_at IS NULL
           AND (private_to IS NULL OR private_to = (SELECT revtops_current_user())));
