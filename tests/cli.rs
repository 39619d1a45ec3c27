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
    for cmd in ["serve", "migrate", "sync", "demo"] {
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
        version.contains(revtops::build_info::GIT_REVISION),
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
fn sync_and_demo_say_not_available_yet() {
    for args in [&["sync", "--provider", "hubspot"][..], &["demo"][..]] {
        let out = revtops(args, &[]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("not available yet"),
            "{}",
            stderr(&out)
        );
    }
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
