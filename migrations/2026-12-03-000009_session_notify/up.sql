-- Every replica keeps verified sessions in memory for a moment (SESSION_CACHE_MS). These
-- triggers tell all of them, at commit, whose session changed, whoever made the change: a
-- request on another replica, the CLI or a hand-written UPDATE. A replica listens on the channel
-- and serves cached sessions only while it is listening.
CREATE FUNCTION revtops_session_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('revtops_sessions', 'user:' || OLD.id);
    ELSIF TG_TABLE_NAME = 'organizations' THEN
        PERFORM pg_notify('revtops_sessions', 'org:' || OLD.id);
    -- A payload may not exceed 8000 bytes: a token id too long for one ends every session,
    -- rather than failing the logout.
    ELSIF octet_length(NEW.token_id) <= 7000 THEN
        PERFORM pg_notify('revtops_sessions', 'token:' || NEW.token_id);
    ELSE
        PERFORM pg_notify('revtops_sessions', 'all');
    END IF;
    RETURN NULL;
END
$$;

-- Columns the sync engine and sign-in bookkeeping touch say nothing about a session; any other
-- change (a column added later included) does.
CREATE TRIGGER users_session_changed
    AFTER UPDATE ON users FOR EACH ROW
    WHEN (to_jsonb(OLD) - '{last_login_at,synced_at,updated_at,source_system,source_id,custom_fields}'::text[]
          IS DISTINCT FROM
          to_jsonb(NEW) - '{last_login_at,synced_at,updated_at,source_system,source_id,custom_fields}'::text[])
    EXECUTE FUNCTION revtops_session_changed();

CREATE TRIGGER users_session_ended
    AFTER DELETE ON users FOR EACH ROW
    EXECUTE FUNCTION revtops_session_changed();

CREATE TRIGGER organizations_session_changed
    AFTER UPDATE OR DELETE ON organizations FOR EACH ROW
    EXECUTE FUNCTION revtops_session_changed();

CREATE TRIGGER revoked_tokens_session_ended
    AFTER INSERT ON revoked_tokens FOR EACH ROW
    EXECUTE FUNCTION revtops_session_changed();
