// @generated automatically by Diesel CLI.

diesel::table! {
    accounts (id) {
        id -> Uuid,
        organization_id -> Uuid,
        source_system -> Text,
        source_id -> Text,
        name -> Text,
        domain -> Nullable<Text>,
        industry -> Nullable<Text>,
        employee_count -> Nullable<Int4>,
        annual_revenue -> Nullable<Numeric>,
        owner_id -> Nullable<Uuid>,
        custom_fields -> Jsonb,
        source_created_at -> Nullable<Timestamptz>,
        source_updated_at -> Nullable<Timestamptz>,
        synced_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    activities (id) {
        id -> Uuid,
        organization_id -> Uuid,
        source_system -> Text,
        source_id -> Text,
        #[sql_name = "type"]
        type_ -> Text,
        subject -> Nullable<Text>,
        description -> Nullable<Text>,
        activity_date -> Nullable<Timestamptz>,
        duration_seconds -> Nullable<Int4>,
        participants -> Jsonb,
        deal_id -> Nullable<Uuid>,
        account_id -> Nullable<Uuid>,
        contact_id -> Nullable<Uuid>,
        owner_id -> Nullable<Uuid>,
        custom_fields -> Jsonb,
        source_created_at -> Nullable<Timestamptz>,
        source_updated_at -> Nullable<Timestamptz>,
        synced_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        is_private -> Bool,
        private_to -> Nullable<Uuid>,
    }
}

diesel::table! {
    app_secrets (name) {
        name -> Text,
        value -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    artifacts (id) {
        id -> Uuid,
        organization_id -> Uuid,
        user_id -> Nullable<Uuid>,
        conversation_id -> Nullable<Uuid>,
        #[sql_name = "type"]
        type_ -> Text,
        title -> Text,
        description -> Nullable<Text>,
        queries -> Jsonb,
        chart_spec -> Nullable<Jsonb>,
        snapshot -> Nullable<Jsonb>,
        is_live -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        snapshot_private -> Bool,
    }
}

diesel::table! {
    chat_messages (id) {
        id -> Uuid,
        conversation_id -> Uuid,
        organization_id -> Uuid,
        role -> Text,
        content -> Jsonb,
        model -> Nullable<Text>,
        usage -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    contacts (id) {
        id -> Uuid,
        organization_id -> Uuid,
        source_system -> Text,
        source_id -> Text,
        account_id -> Nullable<Uuid>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        name -> Nullable<Text>,
        email -> Nullable<Text>,
        title -> Nullable<Text>,
        phone -> Nullable<Text>,
        owner_id -> Nullable<Uuid>,
        custom_fields -> Jsonb,
        source_created_at -> Nullable<Timestamptz>,
        source_updated_at -> Nullable<Timestamptz>,
        synced_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    conversations (id) {
        id -> Uuid,
        organization_id -> Uuid,
        user_id -> Uuid,
        title -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    dashboard_tiles (id) {
        id -> Uuid,
        dashboard_id -> Uuid,
        artifact_id -> Uuid,
        position -> Int4,
        width -> Int2,
        height -> Int2,
        chart_spec -> Nullable<Jsonb>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    dashboards (id) {
        id -> Uuid,
        organization_id -> Uuid,
        created_by -> Nullable<Uuid>,
        title -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    deals (id) {
        id -> Uuid,
        organization_id -> Uuid,
        source_system -> Text,
        source_id -> Text,
        name -> Text,
        amount -> Nullable<Numeric>,
        currency -> Nullable<Text>,
        stage -> Nullable<Text>,
        stage_id -> Nullable<Text>,
        pipeline -> Nullable<Text>,
        probability -> Nullable<Numeric>,
        forecast_category -> Nullable<Text>,
        is_closed -> Bool,
        is_won -> Bool,
        close_date -> Nullable<Date>,
        owner_id -> Nullable<Uuid>,
        account_id -> Nullable<Uuid>,
        custom_fields -> Jsonb,
        source_created_at -> Nullable<Timestamptz>,
        source_updated_at -> Nullable<Timestamptz>,
        synced_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    integrations (id) {
        id -> Uuid,
        organization_id -> Uuid,
        provider -> Text,
        scope -> Text,
        user_id -> Nullable<Uuid>,
        nango_connection_id -> Nullable<Text>,
        credential_ciphertext -> Nullable<Bytea>,
        is_active -> Bool,
        last_sync_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        sync_cursors -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        shared -> Bool,
        credential_kind -> Nullable<Text>,
    }
}

diesel::table! {
    invitations (id) {
        id -> Uuid,
        organization_id -> Uuid,
        email -> Text,
        role -> Text,
        token_hash -> Bytea,
        invited_by -> Nullable<Uuid>,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    one_time_links (id) {
        id -> Uuid,
        purpose -> Text,
        user_id -> Uuid,
        email -> Nullable<Text>,
        token_hash -> Bytea,
        created_by -> Nullable<Uuid>,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    organizations (id) {
        id -> Uuid,
        name -> Text,
        email_domain -> Nullable<Text>,
        logo_url -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    pipeline_stages (id) {
        id -> Uuid,
        organization_id -> Uuid,
        source_system -> Text,
        source_id -> Text,
        pipeline_id -> Nullable<Text>,
        pipeline_label -> Nullable<Text>,
        label -> Text,
        display_order -> Int4,
        probability -> Nullable<Numeric>,
        is_closed -> Bool,
        is_won -> Bool,
        custom_fields -> Jsonb,
        synced_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    revoked_tokens (token_id) {
        token_id -> Text,
        user_id -> Nullable<Uuid>,
        expires_at -> Timestamptz,
        revoked_at -> Timestamptz,
    }
}

diesel::table! {
    sync_runs (id) {
        id -> Uuid,
        organization_id -> Uuid,
        integration_id -> Uuid,
        provider -> Text,
        status -> Text,
        trigger -> Text,
        full_sync -> Bool,
        counts -> Jsonb,
        progress -> Jsonb,
        error -> Nullable<Text>,
        error_count -> Int4,
        attempt -> Int4,
        worker_id -> Nullable<Text>,
        requested_by -> Nullable<Uuid>,
        queued_at -> Timestamptz,
        started_at -> Nullable<Timestamptz>,
        heartbeat_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    uploaded_images (id) {
        id -> Uuid,
        organization_id -> Nullable<Uuid>,
        user_id -> Nullable<Uuid>,
        purpose -> Text,
        content_type -> Text,
        bytes -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        organization_id -> Nullable<Uuid>,
        auth_subject -> Nullable<Text>,
        email -> Nullable<Text>,
        email_verified -> Bool,
        name -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        role -> Text,
        status -> Text,
        password_hash -> Nullable<Text>,
        source_system -> Nullable<Text>,
        source_id -> Nullable<Text>,
        custom_fields -> Jsonb,
        last_login_at -> Nullable<Timestamptz>,
        synced_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        deleted_at -> Nullable<Timestamptz>,
        sessions_valid_after -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(accounts -> organizations (organization_id));
diesel::joinable!(accounts -> users (owner_id));
diesel::joinable!(activities -> accounts (account_id));
diesel::joinable!(activities -> contacts (contact_id));
diesel::joinable!(activities -> deals (deal_id));
diesel::joinable!(activities -> organizations (organization_id));
diesel::joinable!(activities -> users (owner_id));
diesel::joinable!(artifacts -> conversations (conversation_id));
diesel::joinable!(artifacts -> organizations (organization_id));
diesel::joinable!(artifacts -> users (user_id));
diesel::joinable!(chat_messages -> conversations (conversation_id));
diesel::joinable!(chat_messages -> organizations (organization_id));
diesel::joinable!(contacts -> accounts (account_id));
diesel::joinable!(contacts -> organizations (organization_id));
diesel::joinable!(contacts -> users (owner_id));
diesel::joinable!(conversations -> organizations (organization_id));
diesel::joinable!(conversations -> users (user_id));
diesel::joinable!(dashboard_tiles -> artifacts (artifact_id));
diesel::joinable!(dashboard_tiles -> dashboards (dashboard_id));
diesel::joinable!(dashboards -> organizations (organization_id));
diesel::joinable!(dashboards -> users (created_by));
diesel::joinable!(deals -> accounts (account_id));
diesel::joinable!(deals -> organizations (organization_id));
diesel::joinable!(deals -> users (owner_id));
diesel::joinable!(integrations -> organizations (organization_id));
diesel::joinable!(invitations -> organizations (organization_id));
diesel::joinable!(invitations -> users (invited_by));
diesel::joinable!(pipeline_stages -> organizations (organization_id));
diesel::joinable!(revoked_tokens -> users (user_id));
diesel::joinable!(sync_runs -> integrations (integration_id));
diesel::joinable!(sync_runs -> organizations (organization_id));
diesel::joinable!(sync_runs -> users (requested_by));
diesel::joinable!(uploaded_images -> organizations (organization_id));
diesel::joinable!(uploaded_images -> users (user_id));
diesel::joinable!(users -> organizations (organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    activities,
    app_secrets,
    artifacts,
    chat_messages,
    contacts,
    conversations,
    dashboard_tiles,
    dashboards,
    deals,
    integrations,
    invitations,
    one_time_links,
    organizations,
    pipeline_stages,
    revoked_tokens,
    sync_runs,
    uploaded_images,
    users,
);
