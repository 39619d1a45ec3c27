-- Identity: server-side secrets, revoked tokens (logout) and pending invitations.

-- Secrets the server generates once and every replica shares (e.g. the local-mode JWT key).
-- Only the application role reads this; the analytics role (a later migration) never can.
CREATE TABLE app_secrets (
    name       text PRIMARY KEY,
    value      bytea NOT NULL CHECK (length(value) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Tokens revoked before their expiry (logout). Rows past expires_at are useless and get pruned.
CREATE TABLE revoked_tokens (
    token_id   text PRIMARY KEY,
    user_id    uuid REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_tokens_expires_idx ON revoked_tokens (expires_at);

-- An admin's invitation. Only a hash of the token is stored; the token itself is shown once.
CREATE TABLE invitations (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email           text NOT NULL CHECK (email = lower(email)),
    role            text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
    token_hash      bytea NOT NULL UNIQUE,
    invited_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at      timestamptz NOT NULL,
    accepted_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX invitations_pending_key ON invitations (organization_id, email) WHERE accepted_at IS NULL;
