-- Full-text search over activity subjects and bodies (the agent's search_activities tool).
CREATE INDEX activities_fts_idx ON activities
    USING gin (to_tsvector('english', coalesce(subject, '') || ' ' || coalesce(description, '')));

-- Conversation history is read in order, per conversation.
DROP INDEX chat_messages_conversation_idx;
CREATE INDEX chat_messages_conversation_order_idx ON chat_messages (conversation_id, created_at, id);
CREATE INDEX artifacts_conversation_idx ON artifacts (conversation_id);
