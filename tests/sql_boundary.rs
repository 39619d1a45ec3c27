//! The analytics engine against a hostile corpus, twice: through the whole engine (gate + database
//! boundary) and with the gate bypassed, straight into the boundary. Either way: no row of the other
//! organization, no write anywhere, every answer within statement_timeout + 1 s, server healthy.

mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use revtops::sql::{SqlError, Viewer};
use serde_json::json;
use uuid::Uuid;

const TIMEOUT_MS: u64 = 1500;
const MARKER_B: &str = "SECRET-B";
/// On the private calendar events of A's `owner`: the corpus runs as A's `colleague`.
const MARKER_PRIVATE: &str = "PRIVATE-OWNER";

struct Tenants {
    app: TestApp,
    a: Uuid,
    b: Uuid,
    /// Members of A: `owner` has private activities, `colleague` runs the corpus.
    owner: Uuid,
    colleague: Uuid,
}

/// Two organizations with data; B's rows all carry MARKER_B so any leak is visible in a result.
async fn tenants(extra: &[(&str, &str)]) -> Tenants {
    let mut vars = vec![
        ("SQL_STATEMENT_TIMEOUT_MS", "1500"),
        ("SQL_MAX_RESULT_BYTES", "2000000"),
    ];
    vars.extend_from_slice(extra);
    let app = TestApp::spawn_with(&vars).await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let db = app.db.client().await;
    seed(&db, a, b).await;
    let (owner, colleague) = seed_private(&db, a).await;
    Tenants {
        app,
        a,
        b,
        owner,
        colleague,
    }
}

/// Two members of `org`; the first owns private calendar events (and one shared one).
async fn seed_private(db: &tokio_postgres::Client, org: Uuid) -> (Uuid, Uuid) {
    let (owner, colleague) = (Uuid::new_v4(), Uuid::new_v4());
    db.batch_execute(&format!(
        "INSERT INTO users (id, organization_id, email, name, role, status) VALUES \
           ('{owner}', '{org}', 'owner@a.example', 'Owner', 'member', 'active'), \
           ('{colleague}', '{org}', 'colleague@a.example', 'Colleague', 'member', 'active'); \
         INSERT INTO activities (organization_id, source_system, source_id, type, subject, activity_date, \
                                 owner_id, is_private, private_to) \
           SELECT '{org}', 'google_calendar', '{owner}:ev-' || n, 'meeting', '{MARKER_PRIVATE} ' || n, \
                  now() - n * interval '1 hour', '{owner}', n % 2 = 0, '{owner}' \
           FROM generate_series(1, 6) n; \
         INSERT INTO activities (organization_id, source_system, source_id, type, subject, activity_date, owner_id) \
           VALUES ('{org}', 'google_calendar', '{owner}:shared', 'meeting', 'Shared standup', now(), '{owner}'); \
         ANALYZE activities"
    ))
    .await
    .unwrap();
    (owner, colleague)
}

pub async fn seed(db: &tokio_postgres::Client, a: Uuid, b: Uuid) {
    for (org, tag) in [(a, "A"), (b, MARKER_B)] {
        db.execute(
            "INSERT INTO organizations (id, name) VALUES ($1, $2)",
            &[&org, &format!("Org {tag}")],
        )
        .await
        .unwrap();
        db.batch_execute(&format!(
            "INSERT INTO users (organization_id, email, name, role, status, password_hash) VALUES \
               ('{org}', '{l}-rep@{l}.example', 'Rep {tag}', 'admin', 'active', 'argon2-hash-{tag}'); \
             INSERT INTO accounts (organization_id, source_system, source_id, name, domain, industry, annual_revenue) \
               SELECT '{org}', 'seed', 'acc-' || n, 'Account {tag} ' || n, 'acct{tag}' || n || '.example', 'Software', n * 1000 \
               FROM generate_series(1, 20) n; \
             INSERT INTO deals (organization_id, source_system, source_id, name, amount, stage, is_closed, is_won, close_date, account_id) \
               SELECT '{org}', 'seed', 'deal-' || n, 'Deal {tag} ' || n, n * 100.50, 'Proposal', n % 3 = 0, n % 6 = 0, \
                      DATE '2026-01-01' + n, (SELECT id FROM accounts WHERE organization_id = '{org}' AND source_id = 'acc-' || (1 + n % 20)) \
               FROM generate_series(1, 50) n; \
             INSERT INTO activities (organization_id, source_system, source_id, type, subject, activity_date) \
               SELECT '{org}', 'seed', 'act-' || n, 'meeting', 'Meeting {tag} ' || n, now() - n * interval '1 day' \
               FROM generate_series(1, 30) n; \
             INSERT INTO pipeline_stages (organization_id, source_system, source_id, label) VALUES ('{org}', 'seed', 'proposal', 'Proposal {tag}');",
            l = tag.to_lowercase().replace('-', "")
        ))
        .await
        .unwrap();
    }
    // Statistics hold sample values of every tenant's rows: they must stay out of reach too.
    db.batch_execute("ANALYZE accounts, deals, activities, users, pipeline_stages")
        .await
        .unwrap();
}

/// Row count and content hash of every table: any write anywhere changes it.
async fn fingerprint(db: &tokio_postgres::Client) -> Vec<(String, i64, String)> {
    let tables: Vec<String> = db
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let row = db
            .query_one(
                &format!("SELECT count(*), md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM \"{t}\" x"),
                &[],
            )
            .await
            .unwrap();
        out.push((t, row.get(0), row.get(1)));
    }
    out
}

fn corpus(a: Uuid, b: Uuid, owner: Uuid) -> Vec<String> {
    let nested_parens = format!("SELECT {}1{}", "(".repeat(500), ")".repeat(500));
    let nested_subqueries = format!(
        "SELECT * FROM {}deals{}",
        "(SELECT * FROM ".repeat(150),
        ") s".repeat(150)
    );
    let megabyte_query = format!("SELECT 1{}", " + 1".repeat(250_000));
    let megabyte_literal = format!("SELECT '{}'", "x".repeat(1 << 20));
    let or_chain = format!(
        "SELECT name FROM deals WHERE {}",
        (0..500)
            .map(|i| format!("amount > {i}"))
            .collect::<Vec<_>>()
            .join(" OR ")
    );
    let queries = [
        // cross-organization reads
        format!("SELECT * FROM deals WHERE organization_id = '{b}'"),
        format!("SELECT * FROM deals --WHERE organization_id = '{a}'"),
        "SELECT * FROM deals WHERE false OR true".into(),
        format!("SELECT * FROM deals WHERE organization_id = '{a}' OR 1=1"),
        format!("/* org {a} */ SELECT * FROM deals /* WHERE organization_id = '{a}' */"),
        "SELECT * FROM \"deals\"".into(),
        "SELECT * FROM public.deals".into(),
        "SELECT * FROM \"public\".\"deals\"".into(),
        "SELECT * FROM ONLY deals".into(),
        "WITH x AS (SELECT * FROM deals) SELECT * FROM x".into(),
        "WITH RECURSIVE x AS (SELECT * FROM deals) SELECT * FROM x".into(),
        "SELECT * FROM (SELECT * FROM deals) s".into(),
        "SELECT (SELECT string_agg(name, ',') FROM deals)".into(),
        "SELECT name FROM deals UNION SELECT name FROM accounts UNION SELECT subject FROM activities".into(),
        "SELECT d.name, a.name FROM deals d, accounts a".into(),
        "SELECT d.name FROM accounts a, LATERAL (SELECT * FROM deals) d".into(),
        format!("SELECT d.name FROM deals d JOIN accounts a ON a.organization_id = '{b}'"),
        "TABLE deals".into(),
        "VALUES ((SELECT string_agg(name, ',') FROM deals))".into(),
        format!("SELECT name FROM deals WHERE id IN (SELECT id FROM deals WHERE organization_id <> '{a}')"),
        format!("SELECT name FROM deals WHERE name ILIKE '%{MARKER_B}%'"),
        "SELECT to_jsonb(d) FROM deals d".into(),
        "SELECT format('%s', (SELECT array_agg(name) FROM deals))".into(),
        or_chain,
        // the org binding itself
        format!("SELECT d.name FROM (SELECT set_config('app.org_id', '{b}', true)) s, LATERAL (SELECT * FROM deals) d"),
        format!("SELECT set_config('app.org_id', '{b}', false), (SELECT string_agg(name, ',') FROM deals)"),
        format!("SELECT set_config('app.org_id', '{b}', true), set_config('app.org_sig', current_setting('app.org_sig'), true), (SELECT string_agg(name, ',') FROM deals)"),
        "SELECT current_setting('app.org_sig')".into(),
        // a colleague's private rows (the corpus runs as A's colleague; `owner` is A's member
        // whose calendar is private)
        format!("SELECT subject FROM activities WHERE private_to = '{owner}'"),
        "SELECT subject FROM activities WHERE private_to IS NOT NULL OR is_private".into(),
        format!("SELECT set_config('app.user_id', '{owner}', true), (SELECT string_agg(subject, ',') FROM activities)"),
        format!("SELECT a.subject FROM (SELECT set_config('app.user_id', '{owner}', true)) s, LATERAL (SELECT * FROM activities) a"),
        format!("SELECT a.subject FROM (SELECT set_config('app.user_id', '{owner}', true), set_config('app.user_sig', current_setting('app.user_sig'), true)) s, LATERAL (SELECT * FROM activities) a"),
        format!("SELECT a.subject FROM (SELECT set_config('app.user_id', '{owner}', false)) s, LATERAL (SELECT * FROM activities) a"),
        "SELECT current_setting('app.user_sig'), current_setting('app.user_id')".into(),
        "SELECT revtops_current_user()".into(),
        format!("SELECT subject FROM activities WHERE owner_id = '{owner}' OR private_to = revtops_current_user()"),
        "SELECT count(*) FROM activities WHERE source_system = 'google_calendar'".into(),
        "SELECT revtops_current_org()".into(),
        format!("SELECT * FROM deals WHERE organization_id = revtops_current_org() OR organization_id = '{b}'"),
        "SELECT set_config('role', 'postgres', true)".into(),
        "SET ROLE postgres".into(),
        "SET SESSION AUTHORIZATION postgres".into(),
        "RESET ROLE".into(),
        // other tables, users, secrets, catalogs, views
        "SELECT * FROM users".into(),
        "SELECT password_hash FROM users".into(),
        format!("SELECT * FROM reps WHERE organization_id = '{b}'"),
        "SELECT * FROM app_secrets".into(),
        "SELECT * FROM revoked_tokens".into(),
        "SELECT * FROM chat_messages".into(),
        "SELECT * FROM integrations".into(),
        "SELECT * FROM organizations".into(),
        "SELECT * FROM pg_catalog.pg_authid".into(),
        "SELECT * FROM pg_stat_activity".into(),
        "SELECT query FROM pg_stat_get_activity(NULL)".into(),
        "SELECT * FROM pg_stats WHERE tablename = 'deals'".into(),
        "SELECT most_common_vals::text FROM pg_stats".into(),
        "SELECT * FROM information_schema.tables".into(),
        "SELECT * FROM pg_settings".into(),
        "SHOW ALL".into(),
        "SELECT 'app_secrets'::regclass::oid".into(),
        "CREATE VIEW leak AS SELECT * FROM deals".into(),
        // dynamic SQL
        "SELECT query_to_xml('select * from deals', true, true, '')".into(),
        "SELECT * FROM query_to_xml('select name from deals', true, true, '')".into(),
        "SELECT xpath('/', query_to_xml('select name from deals', true, true, ''))".into(),
        "SELECT table_to_xml('deals', true, true, '')".into(),
        "SELECT dblink('dbname=postgres', 'select 1')".into(),
        "PREPARE p AS SELECT * FROM deals".into(),
        "EXECUTE p".into(),
        "DO $$ BEGIN PERFORM 1; END $$".into(),
        // writes in every form
        format!("INSERT INTO deals (organization_id, source_system, source_id, name) VALUES ('{a}', 'x', 'x', 'x')"),
        "UPDATE deals SET amount = 0".into(),
        "DELETE FROM deals".into(),
        "MERGE INTO deals d USING accounts a ON false WHEN NOT MATCHED THEN DO NOTHING".into(),
        "WITH d AS (DELETE FROM deals RETURNING *) SELECT count(*) FROM d".into(),
        "WITH u AS (UPDATE deals SET amount = 1 RETURNING *) SELECT count(*) FROM u".into(),
        "SELECT * INTO stolen FROM deals".into(),
        "CREATE TABLE stolen AS SELECT * FROM deals".into(),
        "CREATE TEMP TABLE t AS SELECT 1".into(),
        "TRUNCATE deals".into(),
        "DROP TABLE deals".into(),
        "ALTER TABLE deals DISABLE ROW LEVEL SECURITY".into(),
        "GRANT ALL ON deals TO PUBLIC".into(),
        "COPY deals TO STDOUT".into(),
        "COPY deals FROM STDIN".into(),
        "SELECT * FROM deals FOR UPDATE".into(),
        "SELECT * FROM deals FOR SHARE".into(),
        "LOCK TABLE deals IN ACCESS EXCLUSIVE MODE".into(),
        "SELECT nextval('some_seq')".into(),
        "SELECT txid_current()".into(),
        "SELECT pg_notify('x', 'y')".into(),
        "NOTIFY x".into(),
        "COMMIT".into(),
        "BEGIN; DELETE FROM deals; COMMIT".into(),
        "CALL nothing()".into(),
        "SELECT lo_import('/etc/passwd')".into(),
        "SELECT lo_create(0)".into(),
        // denial of service
        "SELECT pg_sleep(30)".into(),
        "SELECT pg_sleep_for('30 seconds')".into(),
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r".into(),
        "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b".into(),
        "SELECT count(*) FROM deals a, deals b, deals c, deals d, deals e".into(),
        "SELECT count(*) FROM generate_series(1, 1000000000000)".into(),
        "SELECT repeat('x', 50000000)".into(),
        "SELECT string_agg(repeat('x', 1000), '') FROM generate_series(1, 100000)".into(),
        // In the select list the series streams, so this is the row cap at work, not the timeout
        // (a FROM-clause series is materialized first and races the statement timeout).
        "SELECT generate_series(1, 10000000) AS n".into(),
        "SELECT regexp_replace(repeat('a', 100000), '(a*)*b', 'x')".into(),
        // files and the server
        "SELECT pg_read_file('/etc/passwd')".into(),
        "SELECT PG_CATALOG.pg_read_file('/etc/passwd')".into(),
        "SELECT * FROM pg_read_binary_file('/etc/passwd')".into(),
        "SELECT pg_ls_dir('.')".into(),
        "SELECT pg_reload_conf()".into(),
        "SELECT pg_advisory_lock(1)".into(),
        "SELECT pg_advisory_xact_lock(1)".into(),
        "SELECT pg_try_advisory_lock(42)".into(),
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity".into(),
        "SELECT pg_cancel_backend(1)".into(),
        "SELECT current_user, session_user".into(),
        // statements, nesting, bytes
        "SELECT 1; DELETE FROM deals".into(),
        format!("SELECT 1; SELECT * FROM deals WHERE organization_id = '{b}'"),
        "SELECT 1\0; DELETE FROM deals".into(),
        nested_parens,
        nested_subqueries,
        megabyte_query,
        megabyte_literal,
        "EXPLAIN SELECT * FROM deals".into(),
        "EXPLAIN ANALYZE DELETE FROM deals".into(),
        "SET statement_timeout = 0".into(),
        // a CTE hiding a catalog relation elsewhere in the statement
        "SELECT rolname FROM pg_roles, (WITH pg_roles AS (SELECT 1) SELECT 1) x".into(),
        "SELECT name, setting FROM pg_settings, (WITH pg_settings AS (SELECT 1) SELECT 1) x".into(),
        "SELECT relname FROM pg_class, (WITH pg_class AS (SELECT 1) SELECT 1) x".into(),
        "WITH pg_authid AS (SELECT * FROM pg_authid) SELECT rolpassword FROM pg_authid".into(),
        "WITH a AS (SELECT * FROM app_secrets), app_secrets AS (SELECT 1) SELECT * FROM a".into(),
        "SELECT * FROM deals WHERE EXISTS (WITH users AS (SELECT 1) SELECT 1) AND owner_id IN (SELECT id FROM users)".into(),
        "WITH RECURSIVE chat_messages AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM chat_messages WHERE n < 3) SELECT * FROM chat_messages, public.chat_messages".into(),
        // quoting
        "SELECT * FROM \"PG_CLASS\"".into(),
        "SELECT * FROM \"pg_class\"".into(),
        "SELECT * FROM \"DEALS\"".into(),
        "WITH \"Pg_Class\" AS (SELECT 1) SELECT * FROM pg_class".into(),
        "SELECT * FROM \"app_secrets\"".into(),
        // schema-qualified
        "SELECT * FROM pg_catalog.pg_class".into(),
        "SELECT * FROM public.app_secrets".into(),
        "SELECT * FROM information_schema.columns".into(),
        "SELECT * FROM revtops.deals".into(),
        "SELECT * FROM pg_toast.pg_toast_2619".into(),
        // search_path
        "SET search_path = pg_catalog".into(),
        "SELECT set_config('search_path', 'pg_catalog', true)".into(),
        "SELECT current_setting('search_path')".into(),
        "SELECT * FROM (SELECT set_config('search_path', 'pg_catalog, public', true)) s, pg_class".into(),
        "SELECT d.name FROM (SELECT set_config('search_path', 'information_schema', true)) s, LATERAL (SELECT * FROM deals) d".into(),
    ];
    queries.to_vec()
}

/// What happened to one query, by class: refused by the gate (with its reason), refused by the
/// database (permission, read-only transaction, timeout), or answered (with the asker's rows only,
/// which `run_corpus` checks for every answer).
fn outcome(result: &Result<revtops::sql::QueryOutput, SqlError>) -> String {
    let msg = match result {
        Ok(_) => return "rows".into(),
        Err(SqlError::Rejected(m)) => m,
        Err(SqlError::Database(_) | SqlError::Timeout(_)) => return "database".into(),
        Err(e) => return format!("other: {e}"),
    };
    let class = [
        // The database boundary's own refusals (types it will not decode, replies it cannot read).
        ("cannot be returned", "boundary:unsupported_type"),
        ("could not be run", "boundary:protocol"),
        ("$n parameters", "boundary:parameters"),
        ("is not queryable", "relation"),
        ("function", "function"),
        ("casts to", "cast"),
        ("only SELECT", "not_a_query"),
        ("exactly one statement", "batch"),
        ("locking clauses", "locking"),
        ("data-modifying", "write"),
        ("SELECT INTO", "into"),
        ("could not parse", "parse"),
        ("longer than", "too_long"),
        ("NUL", "nul"),
        ("`TABLE name`", "table_syntax"),
        ("kind of FROM item", "from_item"),
        ("empty", "empty"),
    ]
    .iter()
    .find(|(needle, _)| msg.contains(needle))
    .map_or("unclassified", |(_, class)| class);
    if class.starts_with("boundary:") {
        class.to_owned()
    } else {
        format!("gate:{class}")
    }
}

/// Expected outcomes per query, both walls: `tests/fixtures/hostile_corpus.json`, reviewed by
/// hand. A change in either wall fails naming the query; rewrite the file with UPDATE_SNAPSHOTS=1
/// only after reading the diff.
fn expected() -> serde_json::Map<String, serde_json::Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hostile_corpus.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|_| "{}".into());
    serde_json::from_str(&text).expect("hostile_corpus.json is a JSON object")
}

/// The corpus's queries as keys: placeholders for the two org ids, long queries cut.
fn key(sql: &str, t: &Tenants) -> String {
    let k = sql
        .replace(&t.a.to_string(), "<A>")
        .replace(&t.b.to_string(), "<B>")
        .replace(&t.owner.to_string(), "<OWNER>");
    if k.len() > 200 {
        format!(
            "{}… ({} bytes)",
            k.chars().take(120).collect::<String>(),
            k.len()
        )
    } else {
        k
    }
}

async fn run_corpus(t: &Tenants, bypass: bool) -> Vec<(String, String)> {
    let engine = &t.app.state.sql;
    let owner = t.app.db.client().await;
    let before = fingerprint(&owner).await;
    let b_rows: Vec<String> = owner
        .query(
            "SELECT id::text FROM deals WHERE organization_id = $1 UNION ALL SELECT id::text FROM accounts \
             WHERE organization_id = $1 UNION ALL SELECT id::text FROM activities WHERE organization_id = $1 \
             UNION ALL SELECT id::text FROM users WHERE organization_id = $1",
            &[&t.b],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let queries = corpus(t.a, t.b, t.owner);
    assert!(queries.len() >= 60, "corpus has {} queries", queries.len());
    let limit = Duration::from_millis(TIMEOUT_MS) + Duration::from_secs(1);
    let mut outcomes = Vec::new();
    for sql in &queries {
        let started = Instant::now();
        let colleague = Viewer::person(t.a, t.colleague);
        let result = if bypass {
            engine.query_unchecked(colleague, sql).await
        } else {
            engine.query(colleague, sql, None).await
        };
        let took = started.elapsed();
        let shown: String = sql.chars().take(120).collect();
        assert!(took <= limit, "{shown}: took {took:?}");
        match &result {
            Ok(out) => {
                let text = serde_json::to_string(&out).unwrap();
                assert!(!text.contains(MARKER_B), "LEAK of org B via {shown}");
                assert!(
                    !text.contains(MARKER_PRIVATE),
                    "LEAK of a colleague's private event via {shown}"
                );
                for id in &b_rows {
                    assert!(
                        !text.contains(id.as_str()),
                        "LEAK of org B's row {id} via {shown}"
                    );
                }
                if !sql.contains(&t.b.to_string()) {
                    assert!(
                        !text.contains(&t.b.to_string()),
                        "LEAK of org B's id via {shown}"
                    );
                }
                assert!(
                    !text.contains("argon2-hash"),
                    "LEAK of a password hash via {shown}"
                );
            }
            Err(SqlError::Internal(e)) => panic!("{shown}: internal error {e}"),
            Err(e) => {
                let msg = e.to_string();
                assert!(!msg.contains(MARKER_B), "LEAK in error of {shown}: {msg}");
                assert!(
                    !msg.contains(MARKER_PRIVATE),
                    "LEAK in error of {shown}: {msg}"
                );
            }
        }
        outcomes.push((key(sql, t), outcome(&result)));
    }
    let after = fingerprint(&owner).await;
    assert_eq!(before, after, "a query wrote something");
    // Still healthy, still correct for org A.
    let health = t.app.client().get("/api/health").await;
    assert_eq!(health.status, 200, "{}", health.text());
    let own = engine
        .query(t.a, "SELECT count(*) FROM deals", None)
        .await
        .unwrap();
    assert_eq!(own.rows[0][0], serde_json::json!(50));
    outcomes
}

/// Both walls' outcomes against the reviewed expectations, naming every query that differs.
fn compare(wall: &str, outcomes: &[(String, String)]) {
    let expected = expected();
    let mut wrong = Vec::new();
    for (sql, got) in outcomes {
        let want = expected
            .get(sql)
            .and_then(|e| e[wall].as_str())
            .unwrap_or("<no expectation>");
        if want != got {
            wrong.push(format!("  {sql}\n      expected {want}, got {got}"));
        }
    }
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for (_, got) in outcomes {
        *counts.entry(got.as_str()).or_default() += 1;
    }
    println!("{wall}: {} queries, {counts:?}", outcomes.len());
    assert!(
        wrong.is_empty(),
        "{wall}: {} queries changed outcome:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Rewrites the expectations from both walls' outcomes (UPDATE_SNAPSHOTS=1), for review.
fn record(engine: &[(String, String)], boundary: &[(String, String)]) {
    let mut map = serde_json::Map::new();
    for ((sql, e), (_, b)) in engine.iter().zip(boundary) {
        map.insert(sql.clone(), serde_json::json!({"engine": e, "boundary": b}));
    }
    let text = serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap() + "\n";
    std::fs::write(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/hostile_corpus.json"
        ),
        text,
    )
    .unwrap();
}

/// The corpus through the whole engine (gate, then boundary) and straight into the boundary: no
/// leak and no write either way, and each query's outcome as expected for each wall.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_corpus_through_both_walls_with_an_expected_outcome_per_query() {
    let t = tenants(&[]).await;
    let engine = run_corpus(&t, false).await;
    let boundary = run_corpus(&t, true).await;
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        record(&engine, &boundary);
        return;
    }
    compare("engine", &engine);
    compare("boundary", &boundary);
    // The gate refuses by itself what the database would refuse too, and more.
    let refused_by_gate = engine
        .iter()
        .filter(|(_, o)| o.starts_with("gate:"))
        .count();
    assert!(
        refused_by_gate > 60,
        "the gate refused only {refused_by_gate}"
    );
    assert!(
        boundary.iter().any(|(_, o)| o == "rows") && engine.iter().any(|(_, o)| o == "rows"),
        "nothing ran at all: the corpus proves nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_organization_sees_exactly_its_own_rows() {
    let t = tenants(&[]).await;
    for (org, name) in [(t.a, "Deal A 1"), (t.b, "Deal SECRET-B 1")] {
        let out = t
            .app
            .state
            .sql
            .query(
                org,
                "SELECT name FROM deals WHERE source_id = 'deal-1'",
                None,
            )
            .await
            .unwrap();
        assert_eq!(out.rows, vec![vec![serde_json::json!(name)]]);
        let n = t
            .app
            .state
            .sql
            .query_unchecked(org, "SELECT count(*) FROM deals")
            .await
            .unwrap();
        assert_eq!(n.rows[0][0], serde_json::json!(50));
    }
    let nobody = t
        .app
        .state
        .sql
        .query(Uuid::new_v4(), "SELECT count(*) FROM deals", None)
        .await
        .unwrap();
    assert_eq!(
        nobody.rows[0][0],
        serde_json::json!(0),
        "an org with no data sees nothing"
    );
}

/// Private stays private in the database: the owner sees their private events, a colleague, the
/// organization alone (no user) and a colleague claiming the owner's id see only shared ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_rows_reach_only_their_owner() {
    let t = tenants(&[]).await;
    let engine = &t.app.state.sql;
    let count = "SELECT count(*) FROM activities WHERE source_system = 'google_calendar'";
    let seen = |out: revtops::sql::QueryOutput| out.rows[0][0].clone();
    let owner = Viewer::person(t.a, t.owner);
    let colleague = Viewer::person(t.a, t.colleague);
    assert_eq!(seen(engine.query(owner, count, None).await.unwrap()), 7);
    assert_eq!(seen(engine.query(colleague, count, None).await.unwrap()), 1);
    assert_eq!(seen(engine.query(t.a, count, None).await.unwrap()), 1);
    // The owner's id bound to another organization verifies nowhere.
    let elsewhere = Viewer::person(t.b, t.owner);
    assert_eq!(seen(engine.query(elsewhere, count, None).await.unwrap()), 0);
    // Straight into the boundary, a colleague rebinding the user sees nothing more.
    let forged = format!(
        "SELECT count(*) FROM (SELECT set_config('app.user_id', '{}', true)) s, \
         LATERAL (SELECT * FROM activities WHERE source_system = 'google_calendar') x",
        t.owner
    );
    assert_eq!(
        seen(engine.query_unchecked(colleague, &forged).await.unwrap()),
        1
    );
    // Search (the agent's activity search) is held by the same policy.
    let search = "SELECT subject FROM activities WHERE subject LIKE $1";
    let pattern = format!("{MARKER_PRIVATE}%");
    let mine = engine
        .query_trusted(owner, search, &[&pattern], 50)
        .await
        .unwrap();
    assert_eq!(mine.row_count, 6);
    let theirs = engine
        .query_trusted(colleague, search, &[&pattern], 50)
        .await
        .unwrap();
    assert_eq!(theirs.row_count, 0);
}

/// A query that changes a setting for the whole session leaves nothing for the next query on the
/// same pooled connection (the pool does not reset sessions: the rollback ending every query does).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_setting_does_not_outlive_its_query() {
    let t = tenants(&[]).await;
    let sql = &t.app.state.sql;
    let probe =
        "SELECT current_setting('revtops.probe', true), current_setting('statement_timeout')";
    let before = sql.query_unchecked(t.a, probe).await.unwrap();
    for change in [
        "SELECT set_config('revtops.probe', 'left behind', false), set_config('statement_timeout', '0', false)",
        "SELECT set_config('revtops.probe', 'left behind', false) FROM deals LIMIT 1",
    ] {
        let out = sql.query_unchecked(t.a, change).await.unwrap();
        assert_eq!(out.rows[0][0], serde_json::json!("left behind"));
        // Sequential queries reuse the one idle connection, so this runs where the change did.
        for _ in 0..3 {
            let after = sql.query_unchecked(t.b, probe).await.unwrap();
            // (Once named, a custom setting stays defined in the session, empty: PostgreSQL
            // keeps placeholders through a rollback. Its value does not survive.)
            assert!(
                matches!(after.rows[0][0].as_str(), None | Some("")),
                "after {change}: {:?}",
                after.rows
            );
            assert_eq!(after.rows[0][1], before.rows[0][1], "after {change}");
        }
    }
    assert_ne!(
        before.rows[0][1],
        serde_json::json!("0"),
        "the engine's timeout is set"
    );
}

/// Admitted queries run capped inside the round trip that opens their transaction: each still
/// gets its own transaction (a fresh snapshot, so the rollback ending the previous one reached
/// the server first), keeps its order, its columns when it returns nothing, and its meaning
/// when PostgreSQL will not take it as a subquery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admitted_query_gets_its_own_transaction_and_keeps_its_shape() {
    let t = tenants(&[]).await;
    let sql = &t.app.state.sql;
    let count = "SELECT count(*) FROM deals";
    let before = sql.query(t.a, count, None).await.unwrap().rows[0][0].clone();
    let db = t.app.db.client().await;
    db.execute(
        "INSERT INTO deals (organization_id, source_system, source_id, name, amount) \
         VALUES ($1, 'demo', 'fresh-snapshot', 'Fresh snapshot', 1)",
        &[&t.a],
    )
    .await
    .unwrap();
    // Sequential queries reuse the one idle connection: had the last transaction not ended,
    // its snapshot would hide the new deal.
    let after = sql.query(t.a, count, None).await.unwrap().rows[0][0].clone();
    assert_eq!(
        after.as_i64(),
        before.as_i64().map(|n| n + 1),
        "{before} then {after}"
    );

    let ordered = sql
        .query(
            t.a,
            "SELECT n FROM generate_series(1, 5) n ORDER BY n DESC;",
            Some(3),
        )
        .await
        .unwrap();
    assert_eq!(
        ordered.rows,
        vec![vec![json!(5)], vec![json!(4)], vec![json!(3)]]
    );
    assert!(ordered.truncated);

    let empty = sql
        .query(
            t.a,
            "SELECT name, amount FROM deals WHERE false -- nothing",
            None,
        )
        .await
        .unwrap();
    assert_eq!(empty.row_count, 0);
    let columns: Vec<(&str, &str)> = empty
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.r#type.as_str()))
        .collect();
    assert_eq!(columns, [("name", "text"), ("amount", "numeric")]);

    // Not a valid subquery (the comment follows the semicolon): run as it came.
    let plain = sql
        .query(t.a, "SELECT 7 AS n; -- done", None)
        .await
        .unwrap();
    assert_eq!(plain.rows, vec![vec![json!(7)]]);
    assert_eq!(plain.columns[0].name, "n");

    match sql
        .query(t.a, "SELECT name FROM deals WHERE amount > $1", None)
        .await
    {
        Err(SqlError::Rejected(m)) => assert!(m.contains("$n parameters"), "{m}"),
        other => panic!("a $n parameter: {other:?}"),
    }
    // The connection is still good for the next query.
    assert_eq!(
        sql.query(t.a, "SELECT 1", None).await.unwrap().rows,
        vec![vec![json!(1)]]
    );
}
