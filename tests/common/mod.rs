//! Test harness: a private PostgreSQL database per test, cloned from a migrated template, and the
//! real app served on 127.0.0.1:0 with a small blocking HTTP client driven from async tests.
#![allow(dead_code)]

pub mod accounts;
pub mod chat;
pub mod fake_google_calendar;
pub mod fake_hubspot;
pub mod fake_llm;
pub mod fake_nango;
pub mod fake_salesforce;
pub mod fake_slack;
pub mod fake_smtp;
pub mod http;
pub mod runs;
pub mod serve;
pub mod snapshot;
pub mod supabase;
pub mod ws;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use revtops::config::{Config, DatabaseUrl};
use revtops::db::admin::{connect_raw, quote_ident};
use revtops::http::AppState;
use tokio::sync::OnceCell;
use tokio_postgres::error::SqlState;
use tokio_util::sync::CancellationToken;

pub use serve::serve_fake;

/// The server every test database lives on (trust auth on the CI machine).
pub fn server_url() -> DatabaseUrl {
    let raw = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    DatabaseUrl::parse(&raw).expect("TEST_DATABASE_URL is a postgres URL")
}

fn template_name() -> String {
    format!("revtops_tmpl_{}", revtops::build_info::MIGRATIONS_HASH)
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// Creates the migrated template once per schema version. An advisory lock serialises test
/// processes (nextest runs one per test); the template appears under its final name only once
/// complete, so a crashed run never leaves a half-migrated template behind.
async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let name = template_name();
            let admin = connect_raw(&server_url()).await.expect("connect to the test PostgreSQL server");
            admin.execute("SELECT pg_advisory_lock(7259100231)", &[]).await.unwrap();
            let exists = admin
                .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
                .await
                .unwrap()
                .is_some();
            if !exists {
                let building = format!("{name}_building");
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&building)))
                    .await
                    .unwrap();
                admin.batch_execute(&format!("CREATE DATABASE {}", quote_ident(&building))).await.unwrap();
                let url = server_url().with_database(&building);
                let pool = revtops::db::pool::connect(&url, 1).await.unwrap();
                revtops::db::migrate::run_pending(&pool).await.unwrap();
                pool.close();
                drop(pool);
                admin
                    .batch_execute(&format!(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{building}'; \
                         ALTER DATABASE {} RENAME TO {}",
                        quote_ident(&building),
                        quote_ident(&name)
                    ))
                    .await
                    .unwrap();
            }
            // Templates of older schema versions are dead weight: drop those nobody is using.
            let stale = admin
                .query(
                    "SELECT datname::text FROM pg_database WHERE datname LIKE 'revtops\\_tmpl\\_%' AND datname <> $1",
                    &[&name],
                )
                .await
                .unwrap();
            for row in stale {
                let old: String = row.get(0);
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {}", quote_ident(&old))).await;
            }
            admin.execute("SELECT pg_advisory_unlock(7259100231)", &[]).await.unwrap();
            name
        })
        .await
}

/// A database of its own for one test, dropped when the value is.
pub struct TestDb {
    pub name: String,
    pub url: DatabaseUrl,
    /// Dropped with this value (false for a replica's handle on another app's database).
    owned: bool,
}

impl TestDb {
    pub async fn new() -> Self {
        let template = template().await;
        let name = format!("revtops_test_{}", uuid::Uuid::new_v4().simple());
        let admin = connect_raw(&server_url()).await.unwrap();
        let sql = format!(
            "CREATE DATABASE {} TEMPLATE {}",
            quote_ident(&name),
            quote_ident(template)
        );
        // Cloning fails while another session is connected to the template (a parallel clone
        // can count as one), so retry briefly.
        for attempt in 0.. {
            match admin.batch_execute(&sql).await {
                Ok(()) => break,
                Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && attempt < 100 => {
                    tokio::time::sleep(Duration::from_millis(50 + attempt * 10)).await;
                }
                Err(e) => panic!("cannot clone the template database: {e}"),
            }
        }
        let url = server_url().with_database(&name);
        Self {
            name,
            url,
            owned: true,
        }
    }

    /// An empty database name that does not exist yet (for create-on-start tests).
    pub fn unique_missing() -> Self {
        let name = format!("revtops_test_{}", uuid::Uuid::new_v4().simple());
        let url = server_url().with_database(&name);
        Self {
            name,
            url,
            owned: true,
        }
    }

    pub async fn client(&self) -> tokio_postgres::Client {
        connect_raw(&self.url).await.unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot block on async work: use a thread.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(admin) = connect_raw(&server_url()).await {
                    let _ = admin
                        .batch_execute(&format!(
                            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                            quote_ident(&name)
                        ))
                        .await;
                }
            });
        })
        .join();
    }
}

/// Builds a Config the way production does, from variables, with DATABASE_URL pointing at `db`.
pub fn config_for(db: &TestDb, extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    vars.entry("DATABASE_URL".into())
        .or_insert_with(|| db.url.expose().to_owned());
    vars.entry("DATABASE_POOL_SIZE".into())
        .or_insert_with(|| "4".into());
    vars.entry("SHUTDOWN_TIMEOUT_SECS".into())
        .or_insert_with(|| "5".into());
    // Sync workers only where a test asks for them: they poll the database.
    vars.entry("SYNC_WORKERS".into())
        .or_insert_with(|| "0".into());
    // Tests change users with SQL and read them back over HTTP at once; the session cache (which
    // hears such changes a moment later) has its own tests in tests/session_cache.rs.
    vars.entry("SESSION_CACHE_MS".into())
        .or_insert_with(|| "0".into());
    // Most tests sign up several people; the default (first user only) has its own test.
    vars.entry("ALLOW_SIGNUP".into())
        .or_insert_with(|| "true".into());
    // Sign-ups are limited per client address, and every test signs up from 127.0.0.1. Tests
    // with REDIS_URL share that count through the one Redis, across test runs too (it lasts
    // an hour): with the default of 10, a few runs within an hour were refused (429). The limit
    // has its own test, which sets it.
    vars.entry("REGISTRATIONS_PER_IP_PER_HOUR".into())
        .or_insert_with(|| "100000".into());
    Config::from_lookup(|k| vars.get(k).cloned()).expect("test config is valid")
}

/// The real application on 127.0.0.1:0, stopped when dropped.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub db: TestDb,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    pub background: tokio::task::JoinSet<()>,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        Self::serve(TestDb::new().await, extra).await
    }

    /// Another replica of this app: its own server and state on the same database.
    pub async fn replica(&self, extra: &[(&str, &str)]) -> Self {
        let db = TestDb {
            name: self.db.name.clone(),
            url: self.db.url.clone(),
            owned: false,
        };
        Self::serve(db, extra).await
    }

    async fn serve(db: TestDb, extra: &[(&str, &str)]) -> Self {
        let config = config_for(&db, extra);
        let state = revtops::startup::prepare(config, false, CancellationToken::new())
            .await
            .unwrap();
        let bound = revtops::http::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let addr = bound.local_addr;
        let server = tokio::spawn(bound.serve(state.clone()));
        let background = revtops::startup::start_background(&state);
        Self {
            addr,
            state,
            db,
            server: Some(server),
            background,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn client(&self) -> http::Client {
        http::Client::new(self.addr)
    }

    /// Cancels the server and waits for it to finish its graceful shutdown.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        self.state.shutdown.cancel();
        let server = self.server.take().expect("server runs until shutdown");
        let served = server.await.expect("server task panicked");
        // Like `serve`: background work stops at its next safe point before we return.
        while self.background.join_next().await.is_some() {}
        served
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
    }
}
