//! The SQL explorer API and result fidelity: typed JSON for every column type, row and byte caps,
//! rejection envelopes, the schema endpoint, and the boundary under a non-superuser owner login.

mod common;

use common::TestApp;
use serde_json::{Value, json};

/// Registers a local user with an organization and returns (token, org id).
async fn member(app: &TestApp, email: &str) -> (String, uuid::Uuid) {
    let (token, _, org) = common::accounts::admin_with_org(app, email).await;
    (token, org)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_type_serializes_without_loss() {
    let app = TestApp::spawn().await;
    let (token, _) = member(&app, "types@acme.com").await;
    let sql = "SELECT 12345678901234567890.123456789::numeric AS big, -0.05::numeric AS neg, 0::numeric AS zero, \
               1e-20::numeric AS tiny, 100::numeric(10,2) AS scaled, 'NaN'::numeric AS nan_num, \
               9007199254740993::int8 AS i8, 32767::int2 AS i2, 1.5::float8 AS f8, 'Infinity'::float8 AS inf, \
               true AS b, NULL::text AS nothing, 'héllo \"q\"'::text AS t, \
               '2024-02-29'::date AS d, 'infinity'::date AS dinf, \
               '2024-03-01 12:34:56.789+02'::timestamptz AS ts, '2024-03-01 12:00'::timestamp AS naive, \
               'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id, '{\"k\": [1, 2.5, null]}'::jsonb AS j, \
               ARRAY[1, NULL, 3] AS arr, ARRAY[['a','b'],['c','d']] AS grid, \
               interval '1 year 2 months 3 days 04:05:06.5' AS span, '12:30:00'::time AS tod";
    let reply = app
        .client()
        .call(
            "POST",
            "/api/query",
            Some(&token),
            Some(&json!({"sql": sql})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    let names: Vec<&str> = body["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let row = &body["rows"][0];
    let get = |name: &str| row[names.iter().position(|n| *n == name).unwrap()].clone();
    assert_eq!(get("big"), json!("12345678901234567890.123456789"));
    assert_eq!(get("neg"), json!("-0.05"));
    assert_eq!(get("zero"), json!("0"));
    assert_eq!(get("tiny"), json!("0.00000000000000000001"));
    assert_eq!(get("scaled"), json!("100.00"));
    assert_eq!(get("nan_num"), json!("NaN"));
    assert_eq!(get("i8"), json!(9007199254740993i64));
    assert_eq!(get("i2"), json!(32767));
    assert_eq!(get("f8"), json!(1.5));
    assert_eq!(get("inf"), json!("Infinity"));
    assert_eq!(get("b"), json!(true));
    assert_eq!(get("nothing"), Value::Null);
    assert_eq!(get("t"), json!("héllo \"q\""));
    assert_eq!(get("d"), json!("2024-02-29"));
    assert_eq!(get("dinf"), json!("infinity"));
    assert_eq!(get("ts"), json!("2024-03-01T10:34:56.789Z"));
    assert_eq!(get("naive"), json!("2024-03-01T12:00:00"));
    assert_eq!(get("id"), json!("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
    assert_eq!(get("j"), json!({"k": [1, 2.5, null]}));
    assert_eq!(get("arr"), json!([1, null, 3]));
    assert_eq!(get("grid"), json!([["a", "b"], ["c", "d"]]));
    assert_eq!(get("span"), json!("P1Y2M3DT4H5M6.5S"));
    assert_eq!(get("tod"), json!("12:30:00"));
    let types: Vec<&str> = body["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types[0], "numeric");
    assert!(types.contains(&"timestamptz") && types.contains(&"jsonb") && types.contains(&"_int4"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn row_and_byte_caps_report_truncation() {
    let app =
        TestApp::spawn_with(&[("SQL_MAX_ROWS", "100"), ("SQL_MAX_RESULT_BYTES", "4096")]).await;
    let (token, _) = member(&app, "caps@acme.com").await;
    let client = app.client();
    let q = |sql: &str, limit: Option<u32>| {
        let mut body = json!({"sql": sql});
        if let Some(l) = limit {
            body["limit"] = json!(l);
        }
        body
    };
    let r = client
        .call(
            "POST",
            "/api/query",
            Some(&token),
            Some(&q("SELECT n FROM generate_series(1, 1000) n", Some(10))),
        )
        .await
        .json();
    assert_eq!(
        (r["row_count"].as_u64(), r["truncated"].as_bool()),
        (Some(10), Some(true))
    );
    assert_eq!(r["rows"][9][0], json!(10));
    let r = client
        .call(
            "POST",
            "/api/query",
            Some(&token),
            Some(&q("SELECT n FROM generate_series(1, 1000) n", Some(5000))),
        )
        .await
        .json();
    assert_eq!(
        (r["row_count"].as_u64(), r["truncated"].as_bool()),
        (Some(100), Some(true)),
        "server cap wins"
    );
    let r = client
        .call(
            "POST",
            "/api/query",
            Some(&token),
            Some(&q("SELECT n FROM generate_series(1, 7) n", None)),
        )
        .await
        .json();
    assert_eq!(
        (r["row_count"].as_u64(), r["truncated"].as_bool()),
        (Some(7), Some(false))
    );
    let r = client
        .call(
            "POST",
            "/api/query",
            Some(&token),
            Some(&q(
                "SELECT repeat('x', 1000) FROM generate_series(1, 50)",
                None,
            )),
        )
        .await
        .json();
    assert_eq!(r["truncated"], json!(true), "byte cap: {r}");
    assert!(r["row_count"].as_u64().unwrap() < 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejections_use_the_envelope_with_actionable_reasons() {
    let app = TestApp::spawn().await;
    let (token, _) = member(&app, "rej@acme.com").await;
    let client = app.client();
    for (sql, needle) in [
        ("SELECT pg_sleep(1)", "function pg_sleep is not allowed"),
        (
            "SELECT * FROM chat_messages",
            "table chat_messages is not queryable; queryable tables are accounts",
        ),
        ("DELETE FROM deals", "only SELECT"),
        ("SELECT nope FROM deals", "column \"nope\" does not exist"),
        ("SELECT 1/0", "division by zero"),
        ("SELEC 1", "could not parse"),
    ] {
        let reply = client
            .call(
                "POST",
                "/api/query",
                Some(&token),
                Some(&json!({"sql": sql})),
            )
            .await;
        assert_eq!(reply.status, 400, "{sql}: {}", reply.text());
        assert_eq!(reply.error_code(), "query_rejected");
        let msg = reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(msg.contains(needle), "{sql}: {msg}");
        assert!(
            !msg.contains("tokio") && !msg.contains("db error"),
            "driver internals leaked: {msg}"
        );
    }
    let no_org = client
        .call("POST", "/api/auth/register", None, Some(&json!({"email": "solo@acme.com", "password": "correct horse battery", "name": "S"})))
        .await
        .json();
    let solo = no_org["token"].as_str().unwrap();
    assert_eq!(
        client
            .call(
                "POST",
                "/api/query",
                Some(solo),
                Some(&json!({"sql": "SELECT 1"}))
            )
            .await
            .status,
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_endpoint_lists_exactly_what_the_analytics_role_can_read() {
    let app = TestApp::spawn().await;
    let (token, org) = member(&app, "schema@acme.com").await;
    let schema = app.client().get_auth("/api/schema", &token).await.json();
    let tables = schema["tables"].as_array().unwrap();
    assert_eq!(tables.len(), revtops::sql::catalog::RELATIONS.len());
    for table in tables {
        let name = table["name"].as_str().unwrap();
        assert!(!table["description"].as_str().unwrap().is_empty());
        let declared: Vec<String> = table["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect();
        // Every documented column is really selectable by the analytics role, and nothing more exists.
        let out = app
            .state
            .sql
            .query(org, &format!("SELECT * FROM {name} LIMIT 0"), None)
            .await
            .unwrap();
        let actual: Vec<String> = out.columns.iter().map(|c| c.name.clone()).collect();
        assert_eq!(declared, actual, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_boundary_holds_when_the_app_login_is_a_plain_owner() {
    // A non-superuser owner runs the migrations (the analytics role already exists cluster-wide).
    let admin = revtops::db::admin::connect_raw(&common::server_url())
        .await
        .unwrap();
    admin
        .batch_execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'revtops_test_owner') THEN \
             CREATE ROLE revtops_test_owner LOGIN NOSUPERUSER NOCREATEROLE CREATEDB; END IF; END $$; \
             DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'revtops_analytics') THEN \
             CREATE ROLE revtops_analytics LOGIN NOINHERIT NOBYPASSRLS; END IF; END $$;",
        )
        .await
        .unwrap();
    let db = common::TestDb::unique_missing();
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {} OWNER revtops_test_owner",
            revtops::db::admin::quote_ident(&db.name)
        ))
        .await
        .unwrap();
    let owner_url = db.url.with_login("revtops_test_owner", None);
    let pool = revtops::db::pool::connect(&owner_url, 2).await.unwrap();
    revtops::db::migrate::run_pending(&pool).await.unwrap();
    drop(pool);

    // All tenants share the analytics role, and a plain owner cannot hide the activity views
    // from it: one analytics session reads another's SQL. Revtops refuses to start like that.
    let analytics_url = db.url.with_login("revtops_analytics", None);
    let (watcher, watched) = (
        revtops::db::admin::connect_raw(&analytics_url)
            .await
            .unwrap(),
        revtops::db::admin::connect_raw(&analytics_url)
            .await
            .unwrap(),
    );
    let slow = "SELECT count(*) FROM generate_series(1, 40000000) g WHERE 'SECRET-A-QUERY' <> ''";
    let running = tokio::spawn(async move { watched.simple_query(slow).await.map(|_| ()) });
    let seen = wait_for_activity(&watcher, "SECRET-A-QUERY").await;
    assert!(
        seen,
        "without the fix the activity of another session is readable"
    );
    running.abort();

    let vars = std::collections::HashMap::from([
        ("DATABASE_URL".to_owned(), owner_url.expose().to_owned()),
        ("SQL_STATEMENT_TIMEOUT_MS".to_owned(), "4000".to_owned()),
    ]);
    let config = || revtops::config::Config::from_lookup(|k| vars.get(k).cloned()).unwrap();
    let refused = match revtops::startup::prepare(config(), false, Default::default()).await {
        Ok(_) => panic!("started although tenants could read each other's SQL"),
        Err(e) => format!("{e:#}"),
    };
    assert!(refused.contains("pg_stat_activity"), "{refused}");
    let fix: Vec<&str> = refused
        .lines()
        .filter(|l| l.starts_with("REVOKE ") || l.starts_with("GRANT "))
        .collect();
    assert!(
        fix.contains(&"REVOKE SELECT ON pg_catalog.pg_stat_activity FROM PUBLIC;"),
        "{refused}"
    );
    // What the message says to run is enough.
    let superuser = revtops::db::admin::connect_raw(&db.url).await.unwrap();
    superuser.batch_execute(&fix.join("\n")).await.unwrap();
    let state = revtops::startup::prepare(config(), false, Default::default())
        .await
        .unwrap();
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let seed_client = revtops::db::admin::connect_raw(&owner_url).await.unwrap();
    for (org, name) in [(a, "A"), (b, "SECRET-B")] {
        seed_client
            .execute(
                "INSERT INTO organizations (id, name) VALUES ($1, $2)",
                &[&org, &name],
            )
            .await
            .unwrap();
        seed_client
            .execute(
                "INSERT INTO deals (organization_id, source_system, source_id, name) VALUES ($1, 's', '1', $2)",
                &[&org, &format!("Deal {name}")],
            )
            .await
            .unwrap();
    }
    for sql in [
        "SELECT * FROM deals".to_owned(),
        format!(
            "SELECT d.name FROM (SELECT set_config('app.org_id', '{b}', true)) s, LATERAL (SELECT * FROM deals) d"
        ),
        "SELECT set_config('role', 'revtops_test_owner', true)".to_owned(),
        "SELECT * FROM app_secrets".to_owned(),
        "DELETE FROM deals".to_owned(),
    ] {
        if let Ok(out) = state.sql.query_unchecked(a, &sql).await {
            let text = serde_json::to_string(&out).unwrap();
            assert!(!text.contains("SECRET-B"), "leak via {sql}");
        }
    }
    let own = state
        .sql
        .query(a, "SELECT name FROM deals", None)
        .await
        .unwrap();
    assert_eq!(own.rows, vec![vec![json!("Deal A")]]);
    let count: i64 = seed_client
        .query_one("SELECT count(*) FROM deals", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 2, "nothing deleted");

    // Two tenants at once, gate bypassed: B cannot read what A is running.
    let engine = state.sql.clone();
    let a_running = tokio::spawn(async move { engine.query_unchecked(a, slow).await.map(|_| ()) });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for peek in [
        "SELECT query FROM pg_stat_activity",
        "SELECT pg_stat_get_backend_activity(s) FROM pg_stat_get_backend_idset() s",
        "SELECT query FROM pg_catalog.pg_stat_activity WHERE query LIKE '%SECRET%'",
    ] {
        if let Ok(out) = state.sql.query_unchecked(b, peek).await {
            let text = serde_json::to_string(&out).unwrap();
            assert!(
                !text.contains("SECRET-A-QUERY"),
                "{peek} showed A's SQL: {text}"
            );
        }
    }
    let _ = a_running.await;
    drop(state);
}

/// Whether a query containing `marker` shows up in pg_stat_activity within a few seconds.
async fn wait_for_activity(client: &tokio_postgres::Client, marker: &str) -> bool {
    for _ in 0..40 {
        let rows = client
            .query(
                "SELECT query FROM pg_stat_activity WHERE query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()",
                &[&marker],
            )
            .await;
        if rows.is_ok_and(|r| !r.is_empty()) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_are_limited_per_user_and_organizations_share_the_pool_fairly() {
    let app = common::TestApp::spawn_with(&[
        ("QUERIES_PER_MINUTE", "3"),
        ("ANALYTICS_POOL_SIZE", "4"),
        ("ANALYTICS_ORG_CONCURRENCY", "2"),
        // The slow queries only need to outlast the few hundred ms below; a loaded CI machine
        // must not time them out.
        ("SQL_STATEMENT_TIMEOUT_MS", "60000"),
    ])
    .await;
    let (ana, _, a) = common::accounts::admin_with_org(&app, "ana@acme.com").await;
    let (bo, _, b) = common::accounts::admin_with_org(&app, "bo@globex.com").await;
    let client = app.client();
    let query = |token: String| {
        let client = app.client();
        async move {
            client
                .call(
                    "POST",
                    "/api/query",
                    Some(&token),
                    Some(&json!({"sql": "SELECT 1 AS one"})),
                )
                .await
        }
    };
    for _ in 0..3 {
        assert_eq!(query(ana.clone()).await.status, 200);
    }
    let limited = query(ana.clone()).await;
    assert_eq!(limited.status, 429, "{}", limited.text());
    assert!(limited.header("retry-after").is_some());
    assert_eq!(
        query(bo.clone()).await.status,
        200,
        "another user is unaffected"
    );
    drop(client);

    // Organization A fills its share with slow queries and queues a third; B's query runs at once.
    let slow = "SELECT count(*) FROM generate_series(1, 20000000) g";
    let engine = || std::sync::Arc::clone(&app.state.sql);
    let (e1, e2, e3) = (engine(), engine(), engine());
    let a1 = tokio::spawn(async move { e1.query(a, slow, None).await.map(|_| ()) });
    let a2 = tokio::spawn(async move { e2.query(a, slow, None).await.map(|_| ()) });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let a3 = tokio::spawn(async move { e3.query(a, "SELECT 3 AS waited", None).await });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let own = app
        .state
        .sql
        .query(b, "SELECT 2 AS quick", None)
        .await
        .unwrap();
    assert_eq!(own.rows, vec![vec![json!(2)]]);
    assert!(
        !a3.is_finished(),
        "A's third query waits for a turn while B's ran"
    );
    let (r1, r2) = (a1.await.unwrap(), a2.await.unwrap());
    assert!(r1.is_ok() && r2.is_ok(), "{r1:?} {r2:?}");
    let waited = a3.await.unwrap().unwrap();
    assert_eq!(
        waited.rows,
        vec![vec![json!(3)]],
        "and runs once a turn frees up"
    );
}
