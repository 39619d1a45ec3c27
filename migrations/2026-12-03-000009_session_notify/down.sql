DROP TRIGGER revoked_tokens_session_ended ON revoked_tokens;
DROP TRIGGER organizations_session_changed ON organizations;
DROP TRIGGER users_session_ended ON users;
DROP TRIGGER users_session_changed ON users;
DROP FUNCTION revtops_session_changed();
