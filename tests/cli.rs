//! The binary as an operator meets it: help, version, config errors, migrations, unreachable DB.

mod common;

use std::process::{Command, Output};

use common::TestDb;

fn revtops(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_revtops"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    // Run from an empty directory so a developer's .env cannot leak into the test.
    cmd.current_dir(std::env::temp_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run revtops")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn help_lists_every_command_and_version_names_the_revision() {
    let out = revtops(&["--help"], &[]);
    assert!(out.status.success());
    for cmd in ["serve", "migrate", "sync", "demo", "verify-email"] {
        assert!(
            stdout(&out).contains(cmd),
            "--help lacks {cmd}: {}",
            stdout(&out)
        );
    }
    let out = revtops(&["--version"], &[]);
    let version = stdout(&out);
    assert!(
        version.starts_with(&format!("revtops {} (", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    assert!(
        version.contains(revtops::build_info::git_revision()),
        "{version}"
    );
}

#[test]
fn invalid_configuration_stops_with_one_line_naming_the_variable() {
    for (var, value) in [
        ("DATABASE_URL", "definitely not a url"),
        ("PORT", "eighty"),
        ("AUTH_MODE", "kerberos"),
        ("REDIS_URL", "http://example.com"),
        ("BIND_ADDR", "nowhere"),
        ("LOG_FORMAT", "yaml"),
    ] {
        let out = revtops(&["serve"], &[(var, value)]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{var}={value}: {}",
            stderr(&out)
        );
        let err = stderr(&out);
        assert_eq!(
            err.trim().lines().count(),
            1,
            "{var}: more than one line: {err}"
        );
        assert!(err.starts_with(&format!("error: invalid {var}: ")), "{err}");
    }
}

#[test]
fn unreachable_postgres_is_one_line_without_the_password() {
    let out = revtops(
        &["serve"],
        &[(
            "DATABASE_URL",
            "postgres://app:s3cretpw@127.0.0.1:1/revtops",
        )],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    let last = err.trim().lines().last().unwrap_or_default();
    assert!(
        last.starts_with(
            "error: cannot connect to PostgreSQL at postgres://app@127.0.0.1:1/revtops"
        ),
        "{err}"
    );
    assert!(!err.contains("s3cretpw"), "password leaked: {err}");
}

#[test]
fn sync_rejects_unknown_and_unsupported_providers() {
    let out = revtops(
        &["sync", "--provider", "slack", "--user", "ana@acme.com"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--user is for personal connections"),
        "{}",
        stderr(&out)
    );
    let out = revtops(&["sync", "--provider", "pipedrive"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown provider"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_email_marks_an_account_verified_and_names_a_missing_one() {
    let db = TestDb::new().await;
    let env = [("DATABASE_URL", db.url.expose())];
    let client = db.client().await;
    client
        .execute(
            "INSERT INTO users (email, name, password_hash) VALUES ('dan@globex.com', 'Dan', 'x')",
            &[],
        )
        .await
        .unwrap();
    let out = revtops(&["verify-email", "Dan@Globex.com"], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    let verified: bool = client
        .query_one(
            "SELECT email_verified FROM users WHERE email = 'dan@globex.com'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(verified);
    let out = revtops(&["verify-email", "nobody@globex.com"], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no active account has the email nobody@globex.com"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_creates_the_database_applies_once_then_is_a_no_op() {
    let db = TestDb::unique_missing();
    let env = [("DATABASE_URL", db.url.expose())];
    let first = revtops(&["migrate"], &env);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    assert!(
        out.contains(&format!("created database {}", db.name)),
        "{out}"
    );
    assert!(out.contains("applied 20261127000001"), "{out}");

    let second = revtops(&["migrate"], &env);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stdout(&second).contains("no pending migrations"),
        "{}",
        stdout(&second)
    );
    assert!(
        !stdout(&second).contains("applied 2"),
        "{}",
        stdout(&second)
    );

    let client = db.client().await;
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for table in [
        "activities",
        "artifacts",
        "chat_messages",
        "contacts",
        "conversations",
        "deals",
        "integrations",
        "organizations",
        "pipeline_stages",
        "sync_runs",
        "users",
        "accounts",
    ] {
        assert!(
            tables.iter().any(|t| t == table),
            "missing table {table}: {tables:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_loads_a_dataset_once_and_prints_working_credentials() {
    let db = TestDb::unique_missing();
    let env = [("DATABASE_URL", db.url.expose())];
    let first = revtops(&["demo", "--size", "small"], &env);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    assert!(out.contains("loaded Small demo data"), "{out}");
    let creds = out
        .lines()
        .find(|l| l.starts_with("sign in"))
        .unwrap_or_else(|| panic!("no credentials: {out}"));
    let (email, password) = {
        let words: Vec<&str> = creds.split_whitespace().collect();
        let at = words.iter().position(|w| *w == "as").unwrap();
        (words[at + 1].to_owned(), words.last().unwrap().to_string())
    };
    let client = db.client().await;
    let count = |sql: &'static str| {
        let client = &client;
        async move { client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    let deals = count("SELECT count(*) FROM deals").await;
    let activities = count("SELECT count(*) FROM activities").await;
    assert!(
        (800..=1500).contains(&deals),
        "small is about 1k deals, got {deals}"
    );

    let second = revtops(&["demo"], &env);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(
        count("SELECT count(*) FROM deals").await,
        deals,
        "no duplicates"
    );
    assert_eq!(count("SELECT count(*) FROM activities").await, activities);
    assert_eq!(
        count("SELECT count(*) FROM organizations").await,
        1,
        "the demo organization is reused"
    );

    // The printed password is the admin's current one.
    let hash: String = client
        .query_one(
            "SELECT password_hash FROM users WHERE email = $1",
            &[&email],
        )
        .await
        .unwrap()
        .get(0);
    let second_out = stdout(&second);
    let second_password = second_out
        .lines()
        .find(|l| l.starts_with("sign in"))
        .and_then(|l| l.split_whitespace().last())
        .unwrap();
    assert!(
        revtops::services::auth::passwords::verify(second_password.to_owned(), Some(hash.clone()))
            .await
    );
    assert_ne!(
        password, second_password,
        "a rerun resets the admin's password and prints the new one"
    );

    let unknown = revtops(&["demo", "--org", "nowhere.example"], &env);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("nowhere.example"),
        "{}",
        stderr(&unknown)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn databases_migrating_at_once_on_one_server_all_succeed() {
    // They share the cluster-wide analytics role: concurrent migrations collide on its catalog
    // rows and must retry instead of failing.
    let dbs: Vec<TestDb> = (0..4).map(|_| TestDb::unique_missing()).collect();
    let runs: Vec<_> = dbs
        .iter()
        .map(|db| {
            let url = db.url.expose().to_owned();
            std::thread::spawn(move || revtops(&["migrate"], &[("DATABASE_URL", url.as_str())]))
        })
        .collect();
    for run in runs {
        let out = run.join().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
}
