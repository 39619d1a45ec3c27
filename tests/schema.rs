//! `src/db/schema.rs` (diesel print-schema output) stays in step with the migrations.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::TestDb;

/// Table -> column names as declared in schema.rs (`#[sql_name]` respected).
fn declared() -> BTreeMap<String, BTreeSet<String>> {
    let text = include_str!("../src/db/schema.rs");
    let mut tables = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut sql_name: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line
            .strip_suffix('{')
            .map(str::trim)
            .filter(|l| l.contains('('))
        {
            current = Some(name.split_whitespace().next().unwrap().to_owned());
            continue;
        }
        if line.starts_with('}') && current.take().is_some() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("#[sql_name = \"") {
            sql_name = rest.split('"').next().map(str::to_owned);
            continue;
        }
        if let (Some(table), Some((col, _))) = (&current, line.split_once(" -> ")) {
            let col = sql_name.take().unwrap_or_else(|| col.trim().to_owned());
            tables
                .entry(table.clone())
                .or_insert_with(BTreeSet::new)
                .insert(col);
        }
    }
    tables
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_rs_matches_the_migrated_database() {
    let db = TestDb::new().await;
    let client = db.client().await;
    let rows = client
        .query(
            "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
             JOIN information_schema.tables t USING (table_schema, table_name) \
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
               AND c.table_name NOT LIKE '\\_\\_%' ORDER BY 1, 2",
            &[],
        )
        .await
        .unwrap();
    let mut actual: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in rows {
        actual.entry(row.get(0)).or_default().insert(row.get(1));
    }
    assert_eq!(
        declared(),
        actual,
        "regenerate src/db/schema.rs with `diesel print-schema` (see README)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synced_rows_are_unique_per_org_and_source() {
    let db = TestDb::new().await;
    let client = db.client().await;
    let org: uuid::Uuid = client
        .query_one(
            "INSERT INTO organizations (name) VALUES ('Acme') RETURNING id",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let insert = "INSERT INTO deals (organization_id, source_system, source_id, name) VALUES ($1, 'hubspot', '42', 'A')";
    client.execute(insert, &[&org]).await.unwrap();
    let err = client.execute(insert, &[&org]).await.unwrap_err();
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
    );
    let upsert = "INSERT INTO deals (organization_id, source_system, source_id, name) VALUES ($1, 'hubspot', '42', 'B') \
                  ON CONFLICT (organization_id, source_system, source_id) DO UPDATE SET name = EXCLUDED.name";
    client.execute(upsert, &[&org]).await.unwrap();
    let name: String = client
        .query_one("SELECT name FROM deals", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(name, "B");
    // One active sync run per integration.
    let integration: uuid::Uuid = client
        .query_one("INSERT INTO integrations (organization_id, provider) VALUES ($1, 'hubspot') RETURNING id", &[&org])
        .await
        .unwrap()
        .get(0);
    let run = "INSERT INTO sync_runs (organization_id, integration_id, provider, trigger) VALUES ($1, $2, 'hubspot', 'manual')";
    client.execute(run, &[&org, &integration]).await.unwrap();
    assert!(client.execute(run, &[&org, &integration]).await.is_err());
}
