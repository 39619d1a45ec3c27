-- The whole data model of DESIGN §3. Every tenant row carries organization_id; synced rows are
-- unique on (organization_id, source_system, source_id) so each sync is an idempotent upsert.

CREATE FUNCTION revtops_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;

CREATE TABLE organizations (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    email_domain text CHECK (email_domain = lower(email_domain)),
    logo_url     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organizations_email_domain_key ON organizations (email_domain) WHERE email_domain IS NOT NULL;

CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    auth_subject    text UNIQUE,
    email           text CHECK (email = lower(email)),
    email_verified  boolean NOT NULL DEFAULT false,
    name            text,
    avatar_url      text,
    role            text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'invited', 'crm_only')),
    password_hash   text,
    source_system   text,
    source_id       text,
    custom_fields   jsonb NOT NULL DEFAULT '{}',
    last_login_at   timestamptz,
    synced_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    CHECK ((source_system IS NULL) = (source_id IS NULL))
);
-- A person signs in once: their email is unique among real (non CRM-only) users.
CREATE UNIQUE INDEX users_login_email_key ON users (email) WHERE status <> 'crm_only' AND deleted_at IS NULL;
CREATE UNIQUE INDEX users_org_email_key ON users (organization_id, email) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_source_key ON users (organization_id, source_system, source_id) WHERE source_id IS NOT NULL;
CREATE INDEX users_org_idx ON users (organization_id);

CREATE TABLE integrations (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id       uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    provider              text NOT NULL CHECK (provider IN ('hubspot', 'salesforce', 'slack', 'google_calendar')),
    scope                 text NOT NULL DEFAULT 'organization' CHECK (scope IN ('organization', 'user')),
    user_id               uuid REFERENCES users (id) ON DELETE CASCADE,
    nango_connection_id   text,
    credential_ciphertext bytea,
    is_active             boolean NOT NULL DEFAULT true,
    last_sync_at          timestamptz,
    last_error            text,
    sync_cursors          jsonb NOT NULL DEFAULT '{}',
    created_by            uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope = 'user') = (user_id IS NOT NULL))
);
CREATE UNIQUE INDEX integrations_org_provider_key ON integrations (organization_id, provider) WHERE scope = 'organization';
CREATE UNIQUE INDEX integrations_user_provider_key ON integrations (organization_id, provider, user_id) WHERE scope = 'user';

CREATE TABLE accounts (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source_system     text NOT NULL,
    source_id         text NOT NULL,
    name              text NOT NULL,
    domain            text,
    industry          text,
    employee_count    integer,
    annual_revenue    numeric(20, 2),
    owner_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    custom_fields     jsonb NOT NULL DEFAULT '{}',
    source_created_at timestamptz,
    source_updated_at timestamptz,
    synced_at         timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    UNIQUE (organization_id, source_system, source_id)
);
CREATE INDEX accounts_org_owner_idx ON accounts (organization_id, owner_id);
CREATE INDEX accounts_org_domain_idx ON accounts (organization_id, lower(domain));

CREATE TABLE contacts (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source_system     text NOT NULL,
    source_id         text NOT NULL,
    account_id        uuid REFERENCES accounts (id) ON DELETE SET NULL,
    first_name        text,
    last_name         text,
    name              text,
    email             text,
    title             text,
    phone             text,
    owner_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    custom_fields     jsonb NOT NULL DEFAULT '{}',
    source_created_at timestamptz,
    source_updated_at timestamptz,
    synced_at         timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    UNIQUE (organization_id, source_system, source_id)
);
CREATE INDEX contacts_org_account_idx ON contacts (organization_id, account_id);
CREATE INDEX contacts_org_email_idx ON contacts (organization_id, lower(email));

CREATE TABLE pipeline_stages (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source_system   text NOT NULL,
    source_id       text NOT NULL,
    pipeline_id     text,
    pipeline_label  text,
    label           text NOT NULL,
    display_order   integer NOT NULL DEFAULT 0,
    probability     numeric(5, 4) CHECK (probability BETWEEN 0 AND 1),
    is_closed       boolean NOT NULL DEFAULT false,
    is_won          boolean NOT NULL DEFAULT false,
    custom_fields   jsonb NOT NULL DEFAULT '{}',
    synced_at       timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    UNIQUE (organization_id, source_system, source_id)
);

CREATE TABLE deals (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source_system     text NOT NULL,
    source_id         text NOT NULL,
    name              text NOT NULL,
    amount            numeric(20, 2),
    currency          text,
    stage             text,
    stage_id          text,
    pipeline          text,
    probability       numeric(5, 4) CHECK (probability BETWEEN 0 AND 1),
    forecast_category text,
    is_closed         boolean NOT NULL DEFAULT false,
    is_won            boolean NOT NULL DEFAULT false,
    close_date        date,
    owner_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    account_id        uuid REFERENCES accounts (id) ON DELETE SET NULL,
    custom_fields     jsonb NOT NULL DEFAULT '{}',
    source_created_at timestamptz,
    source_updated_at timestamptz,
    synced_at         timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    UNIQUE (organization_id, source_system, source_id),
    CHECK (NOT is_won OR is_closed)
);
CREATE INDEX deals_org_stage_idx ON deals (organization_id, stage_id);
CREATE INDEX deals_org_close_date_idx ON deals (organization_id, close_date);
CREATE INDEX deals_org_owner_idx ON deals (organization_id, owner_id);
CREATE INDEX deals_org_account_idx ON deals (organization_id, account_id);
CREATE INDEX deals_org_updated_idx ON deals (organization_id, source_updated_at);

CREATE TABLE activities (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id   uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source_system     text NOT NULL,
    source_id         text NOT NULL,
    type              text NOT NULL CHECK (type IN ('email', 'meeting', 'call', 'note', 'message', 'task')),
    subject           text,
    description       text,
    activity_date     timestamptz,
    duration_seconds  integer CHECK (duration_seconds >= 0),
    participants      jsonb NOT NULL DEFAULT '[]',
    deal_id           uuid REFERENCES deals (id) ON DELETE SET NULL,
    account_id        uuid REFERENCES accounts (id) ON DELETE SET NULL,
    contact_id        uuid REFERENCES contacts (id) ON DELETE SET NULL,
    owner_id          uuid REFERENCES users (id) ON DELETE SET NULL,
    custom_fields     jsonb NOT NULL DEFAULT '{}',
    source_created_at timestamptz,
    source_updated_at timestamptz,
    synced_at         timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    UNIQUE (organization_id, source_system, source_id)
);
CREATE INDEX activities_org_date_idx ON activities (organization_id, activity_date DESC);
CREATE INDEX activities_org_type_date_idx ON activities (organization_id, type, activity_date DESC);
CREATE INDEX activities_org_owner_date_idx ON activities (organization_id, owner_id, activity_date DESC);
CREATE INDEX activities_org_deal_idx ON activities (organization_id, deal_id);
CREATE INDEX activities_org_account_idx ON activities (organization_id, account_id);
CREATE INDEX activities_org_contact_idx ON activities (organization_id, contact_id);

CREATE TABLE conversations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX conversations_user_updated_idx ON conversations (user_id, updated_at DESC);

CREATE TABLE chat_messages (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('user', 'assistant')),
    -- Content blocks in the Anthropic shape: [{type: text|tool_use|tool_result, ...}]
    content         jsonb NOT NULL CHECK (jsonb_typeof(content) = 'array'),
    model           text,
    usage           jsonb,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chat_messages_conversation_idx ON chat_messages (conversation_id, created_at);

CREATE TABLE artifacts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         uuid REFERENCES users (id) ON DELETE SET NULL,
    conversation_id uuid REFERENCES conversations (id) ON DELETE SET NULL,
    type            text NOT NULL CHECK (type IN ('dashboard', 'report', 'analysis')),
    title           text NOT NULL,
    description     text,
    -- [{name, sql}]: the queries behind the artifact, re-run when it is live.
    queries         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(queries) = 'array'),
    chart_spec      jsonb,
    snapshot        jsonb,
    is_live         boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX artifacts_org_created_idx ON artifacts (organization_id, created_at DESC);

CREATE TABLE sync_runs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    integration_id  uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    provider        text NOT NULL,
    status          text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    trigger         text NOT NULL CHECK (trigger IN ('manual', 'schedule', 'cli', 'webhook', 'initial')),
    full_sync       boolean NOT NULL DEFAULT false,
    counts          jsonb NOT NULL DEFAULT '{}',
    progress        jsonb NOT NULL DEFAULT '{}',
    error           text,
    error_count     integer NOT NULL DEFAULT 0,
    attempt         integer NOT NULL DEFAULT 0,
    worker_id       text,
    requested_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    queued_at       timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    heartbeat_at    timestamptz,
    finished_at     timestamptz
);
-- One active run per integration: a second trigger finds the first instead of starting a duplicate.
CREATE UNIQUE INDEX sync_runs_one_active_key ON sync_runs (integration_id) WHERE status IN ('queued', 'running');
CREATE INDEX sync_runs_queue_idx ON sync_runs (queued_at) WHERE status = 'queued';
CREATE INDEX sync_runs_org_queued_idx ON sync_runs (organization_id, queued_at DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['organizations', 'users', 'integrations', 'accounts', 'contacts', 'pipeline_stages',
                             'deals', 'activities', 'conversations', 'artifacts']
    LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION revtops_set_updated_at()',
                       t || '_set_updated_at', t);
    END LOOP;
END;
$$;
