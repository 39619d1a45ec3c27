DROP TABLE IF EXISTS sync_runs, artifacts, chat_messages, conversations, activities, deals, pipeline_stages,
    contacts, accounts, integrations, users, organizations CASCADE;
DROP FUNCTION IF EXISTS revtops_set_updated_at();
