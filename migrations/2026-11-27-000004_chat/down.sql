DROP INDEX IF EXISTS activities_fts_idx;
DROP INDEX IF EXISTS chat_messages_conversation_order_idx;
DROP INDEX IF EXISTS artifacts_conversation_idx;
CREATE INDEX chat_messages_conversation_idx ON chat_messages (conversation_id, created_at);
