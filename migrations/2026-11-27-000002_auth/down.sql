DROP TABLE IF EXISTS invitations, revoked_tokens, app_secrets;
