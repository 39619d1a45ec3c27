-- Accounts teams can run: one-time links (password resets an admin issues, email verifications)
-- and signing out everywhere when a password changes or an account goes.

-- Tokens issued before this moment no longer sign in.
ALTER TABLE users ADD COLUMN sessions_valid_after timestamptz;

-- A link that works once, for one purpose. Only a hash of its token is stored; the token itself
-- is shown (or mailed) once. The analytics role is granted nothing here.
CREATE TABLE one_time_links (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    purpose     text NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The address a verification link confirms (it must still be the user's when it is used).
    email       text,
    token_hash  bytea NOT NULL UNIQUE,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX one_time_links_user_idx ON one_time_links (user_id, purpose);
