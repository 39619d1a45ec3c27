//! The database boundary: a separate pool logged in as the analytics role. Each query runs in a
//! READ ONLY transaction with a statement timeout, bound to one organization by a server-signed
//! `app.org_id`/`app.org_sig` pair that the RLS policies verify. Rows are fetched through a portal,
//! at most `max_rows + 1`, so the server never materialises more than the cap for us.

use std::time::{Duration, Instant};

use deadpool::managed::{self, Metrics, Object, Pool, RecycleError, RecycleResult};
use futures_util::{FutureExt, StreamExt};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, Column, IsolationLevel, NoTls, RowStream};

use super::values::{Cell, UnsupportedType, WireLen};
use super::{ColumnInfo, QueryOutput, SqlError, Viewer};
use crate::config::{DatabaseUrl, SqlConfig};

pub struct Manager {
    config: tokio_postgres::Config,
}

impl managed::Manager for Manager {
    type Type = Client;
    type Error = tokio_postgres::Error;

    async fn create(&self) -> Result<Client, tokio_postgres::Error> {
        let (client, connection) = self.config.connect(NoTls).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    async fn recycle(
        &self,
        client: &mut Client,
        _: &Metrics,
    ) -> RecycleResult<tokio_postgres::Error> {
        // No `RESET ALL` round trip: nothing a query does outlives it. Every statement on these
        // connections runs between BEGIN and ROLLBACK, and a rollback reverts every setting made
        // in the transaction, `SET SESSION` and `set_config(.., false)` included; a read-only
        // transaction can create no temp table; and the rollback is queued on the connection
        // before it comes back here, so it reaches the server before the next query (see `run`).
        if client.is_closed() {
            return Err(RecycleError::message("connection closed"));
        }
        Ok(())
    }
}

pub struct Boundary {
    pool: Pool<Manager>,
    signing_key: Vec<u8>,
    limits: SqlConfig,
}

type HmacSha256 = Hmac<Sha256>;

impl Boundary {
    pub fn new(limits: &SqlConfig, signing_key: Vec<u8>) -> Result<Self, SqlError> {
        let mut config: tokio_postgres::Config = limits
            .database_url
            .expose()
            .parse()
            .map_err(|e: tokio_postgres::Error| SqlError::Unavailable(e.to_string()))?;
        config.connect_timeout(Duration::from_secs(5));
        config.application_name("revtops-analytics");
        let pool = Pool::builder(Manager { config })
            .max_size(limits.pool_size)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(5)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| SqlError::Unavailable(e.to_string()))?;
        Ok(Self {
            pool,
            signing_key,
            limits: limits.clone(),
        })
    }

    /// Refuses to start on a misconfigured analytics login (see [`super::analytics_login`]).
    pub async fn verify_role(&self, url: &DatabaseUrl) -> Result<(), SqlError> {
        let client = self.pool.get().await.map_err(|e| {
            SqlError::Unavailable(format!(
                "cannot log in as the analytics role at {}: {e}",
                url.redacted()
            ))
        })?;
        super::analytics_login::verify(&client, url).await
    }

    fn sign(&self, org: &str) -> String {
        let mut mac =
            HmacSha256::new_from_slice(&self.signing_key).expect("HMAC accepts any key length");
        mac.update(org.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Runs `sql` for `org` with no parser in front. Tests call this directly to prove the
    /// database boundary holds on its own; the rows are capped by the portal they are fetched
    /// through, whatever the SQL.
    pub async fn execute(
        &self,
        viewer: Viewer,
        sql: &str,
        max_rows: usize,
    ) -> Result<QueryOutput, SqlError> {
        self.execute_with(viewer, sql, &[], max_rows).await
    }

    /// Like `execute`, with bound parameters (for the server's own queries, e.g. activity search).
    pub async fn execute_with(
        &self,
        viewer: Viewer,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        max_rows: usize,
    ) -> Result<QueryOutput, SqlError> {
        self.execute_as(viewer, sql, Fetch::Portal(params), max_rows)
            .await
    }

    /// Runs SQL the gate admitted: one query, which can therefore stand as a subquery. It runs
    /// under a `LIMIT` of the cap, sent in the same round trip as the transaction, the limits and
    /// the signed viewer, so a query costs one round trip (a second when it returns no rows: the
    /// columns are described separately). SQL that PostgreSQL will not take as a subquery runs
    /// as `execute` would.
    pub async fn execute_admitted(
        &self,
        viewer: Viewer,
        sql: &str,
        max_rows: usize,
    ) -> Result<QueryOutput, SqlError> {
        self.execute_as(viewer, sql, Fetch::Wrapped, max_rows).await
    }

    async fn execute_as(
        &self,
        viewer: Viewer,
        sql: &str,
        fetch: Fetch<'_>,
        max_rows: usize,
    ) -> Result<QueryOutput, SqlError> {
        let started = Instant::now();
        let mut client = self
            .pool
            .get()
            .await
            .map_err(|e| SqlError::Unavailable(e.to_string()))?;
        // The server-side timeout does not cover transferring a huge row; this one does. A connection
        // cut off here is dropped instead of returned to the pool.
        let deadline = self.limits.statement_timeout + Duration::from_millis(500);
        let run = async {
            if let Fetch::Wrapped = fetch
                && let Some(out) = self.run_wrapped(&client, viewer, sql, max_rows).await?
            {
                return Ok(out);
            }
            let params = match fetch {
                Fetch::Portal(params) => params,
                Fetch::Wrapped => &[],
            };
            self.run_portal(&mut client, viewer, sql, params, max_rows)
                .await
        };
        match tokio::time::timeout(deadline, run).await {
            Ok(result) => {
                // After a driver-level failure the session's protocol state is unknown: retire it.
                if matches!(
                    result,
                    Err(SqlError::Rejected(_) | SqlError::Unavailable(_))
                ) {
                    let _ = Object::take(client);
                }
                result.map(|mut out| {
                    out.elapsed_ms =
                        (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0;
                    out
                })
            }
            Err(_) => {
                let _ = Object::take(client);
                Err(SqlError::Timeout(self.limits.statement_timeout))
            }
        }
    }

    /// The statements that bind a transaction to the viewer under the limits. The values are
    /// inlined: they are the server's own (uuids and hex signatures: no quote can occur), never
    /// the query's.
    fn settings(&self, viewer: Viewer) -> String {
        let timeout_ms = self.limits.statement_timeout.as_millis();
        let org_text = viewer.org.to_string();
        let sig = self.sign(&org_text);
        // The user is signed together with the organization: a user id lifted from one
        // organization's binding does not verify in another's.
        let (user_text, user_sig) = match viewer.user {
            Some(user) => {
                let user = user.to_string();
                let sig = self.sign(&format!("user:{org_text}:{user}"));
                (user, sig)
            }
            None => (String::new(), String::new()),
        };
        // One statement: every setting is transaction-local (`true`), so the rollback that ends
        // the query reverts them all.
        format!(
            "SELECT set_config('statement_timeout', '{timeout_ms}', true), \
                    set_config('lock_timeout', '1000', true), \
                    set_config('idle_in_transaction_session_timeout', '{}', true), \
                    set_config('app.org_id', '{org_text}', true), set_config('app.org_sig', '{sig}', true), \
                    set_config('app.user_id', '{user_text}', true), set_config('app.user_sig', '{user_sig}', true)",
            timeout_ms + 5_000
        )
    }

    /// One round trip: the transaction, its limits and viewer (a simple-query batch) and, queued
    /// behind them, the capped query parsed, bound and executed as one unnamed statement, which
    /// the extended protocol holds to a single statement. `None` when PostgreSQL cannot parse
    /// the capped form (the caller then runs the query as it came).
    async fn run_wrapped(
        &self,
        client: &Client,
        viewer: Viewer,
        sql: &str,
        max_rows: usize,
    ) -> Result<Option<QueryOutput>, SqlError> {
        let begin = format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {}",
            self.settings(viewer)
        );
        let capped = capped(sql, max_rows);
        let _rollback = RollbackWhenDone(client);
        let no_params = std::iter::empty::<(&(dyn ToSql + Sync), Type)>();
        let (bound, queried) = futures_util::join!(
            client.batch_execute(&begin),
            client.query_typed_raw(&capped, no_params)
        );
        bound.map_err(|e| self.db_error(e))?;
        let stream = match queried {
            Ok(stream) => stream,
            Err(e) if e.code() == Some(&SqlState::SYNTAX_ERROR) => return Ok(None),
            // Binding no value to a `$n` the query holds.
            Err(e) if e.code() == Some(&SqlState::PROTOCOL_VIOLATION) => {
                return Err(SqlError::Rejected(PARAMETERS_REFUSED.into()));
            }
            Err(e) => return Err(self.db_error(e)),
        };
        let mut fetched = self.collect(stream, max_rows).await?;
        let columns = match fetched.columns.take() {
            Some(columns) => columns,
            None => {
                let described = client
                    .prepare(&capped)
                    .await
                    .map_err(|e| self.db_error(e))?;
                column_infos(described.columns())
            }
        };
        Ok(Some(fetched.output(columns)))
    }

    /// Any SQL, with parameters: a transaction, then the limits and viewer with the statement
    /// prepared behind them, then a portal fetched at most `max_rows + 1` rows.
    async fn run_portal(
        &self,
        client: &mut Client,
        viewer: Viewer,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        max_rows: usize,
    ) -> Result<QueryOutput, SqlError> {
        let tx = client
            .build_transaction()
            .read_only(true)
            .isolation_level(IsolationLevel::RepeatableRead)
            .start()
            .await
            .map_err(|e| self.db_error(e))?;
        let settings = self.settings(viewer);
        let bind_viewer = tx.batch_execute(&settings);
        // Preparing uses the extended protocol, which refuses several statements in one string.
        // It is pipelined behind the batch (one round trip for both): the server takes them in
        // order, and preparing only parses, so nothing of the query runs before the viewer is
        // bound. If the batch fails, the transaction is aborted and the prepare fails too.
        let (bound, prepared) = futures_util::join!(bind_viewer, tx.prepare(sql));
        bound.map_err(|e| self.db_error(e))?;
        let statement = prepared.map_err(|e| self.db_error(e))?;
        if statement.params().len() != params.len() {
            return Err(SqlError::Rejected(PARAMETERS_REFUSED.into()));
        }
        let columns = column_infos(statement.columns());
        let portal = tx
            .bind(&statement, params)
            .await
            .map_err(|e| self.db_error(e))?;
        let fetch = i32::try_from(max_rows.saturating_add(1)).unwrap_or(i32::MAX);
        let stream = tx
            .query_portal_raw(&portal, fetch)
            .await
            .map_err(|e| self.db_error(e))?;
        let fetched = self.collect(stream, max_rows).await?;
        // Nothing was written (read-only), so rolling back is the cheapest way to end, and it
        // need not be waited for: dropping the transaction queues its ROLLBACK on the
        // connection, ahead of anything the connection's next user sends, so the next query
        // starts after it on the server. A connection that died meanwhile fails its recycle.
        drop(tx);
        Ok(fetched.output(columns))
    }

    /// Reads at most `max_rows` rows (and `max_result_bytes`) of `stream`, decoded.
    async fn collect(&self, stream: RowStream, max_rows: usize) -> Result<Fetched, SqlError> {
        // Boxed so it can be dropped before the rollback: undrained rows of an abandoned portal
        // would otherwise stall the connection behind them.
        let mut stream = Box::pin(stream);
        let mut fetched = Fetched {
            columns: None,
            rows: Vec::new(),
            truncated: false,
        };
        let mut bytes = 0usize;
        while let Some(row) = stream.next().await {
            let row = row.map_err(|e| self.db_error(e))?;
            if fetched.columns.is_none() {
                fetched.columns = Some(column_infos(row.columns()));
            }
            if fetched.rows.len() == max_rows {
                fetched.truncated = true;
                break;
            }
            let wire: usize = (0..row.len())
                .map(|i| row.try_get::<_, WireLen>(i).map_or(0, |w| w.0))
                .sum();
            if bytes + wire > self.limits.max_result_bytes {
                fetched.truncated = true;
                break;
            }
            let mut cells = Vec::with_capacity(row.len());
            for (i, column) in row.columns().iter().enumerate() {
                let cell: Cell = row.try_get(i).map_err(|e| {
                    match std::error::Error::source(&e)
                        .and_then(|s| s.downcast_ref::<UnsupportedType>())
                    {
                        Some(u) => SqlError::Rejected(format!("column {}: {u}", column.name())),
                        None => SqlError::Internal(format!(
                            "cannot decode column {}: {e}",
                            column.name()
                        )),
                    }
                })?;
                cells.push(cell.0);
            }
            bytes += json_len(&cells);
            if bytes > self.limits.max_result_bytes {
                fetched.truncated = true;
                break;
            }
            fetched.rows.push(cells);
        }
        Ok(fetched)
    }

    fn db_error(&self, e: tokio_postgres::Error) -> SqlError {
        match e.as_db_error() {
            Some(db) if *db.code() == SqlState::QUERY_CANCELED => {
                SqlError::Timeout(self.limits.statement_timeout)
            }
            // The server's own words (syntax errors, permission denied, division by zero) help the
            // model fix its query and reveal nothing the query could not already see.
            Some(db) => {
                let mut msg = db.message().to_owned();
                if let Some(hint) = db.hint() {
                    msg.push_str(&format!(" (hint: {hint})"));
                }
                SqlError::Database(msg)
            }
            None if e.is_closed() => {
                SqlError::Unavailable("the analytics database connection failed".into())
            }
            // The driver could not follow the reply (e.g. COPY's own protocol through a portal).
            None => SqlError::Rejected(format!("the query could not be run: {e}")),
        }
    }
}

/// How a query's rows are held to the cap.
#[derive(Clone, Copy)]
enum Fetch<'a> {
    /// Through a portal fetched that many rows at most: any SQL, with parameters.
    Portal(&'a [&'a (dyn ToSql + Sync)]),
    /// By a `LIMIT` around the query ([`capped`]): SQL the gate admitted.
    Wrapped,
}

const PARAMETERS_REFUSED: &str = "the query must not contain $n parameters; inline the values";

/// `sql` as a subquery under a `LIMIT` of `max_rows + 1` (the extra row tells that more
/// existed). A trailing semicolon is dropped; the newlines keep a trailing `--` comment from
/// swallowing the closing parenthesis. A subquery's `ORDER BY` keeps its rows in order under
/// the outer `LIMIT`.
pub fn capped(sql: &str, max_rows: usize) -> String {
    let body = sql.trim_end_matches(|c: char| c == ';' || c.is_whitespace());
    let cap = max_rows.saturating_add(1);
    format!("SELECT * FROM (\n{body}\n) AS revtops_result LIMIT {cap}")
}

/// Queues `ROLLBACK` on the connection when dropped, however the query ended: polled once, the
/// request is on its way (tokio-postgres sends a request when its future is first polled) and
/// reaches the server before anything the connection's next user sends; its reply is not
/// needed.
struct RollbackWhenDone<'a>(&'a Client);

impl Drop for RollbackWhenDone<'_> {
    fn drop(&mut self) {
        let _ = self.0.batch_execute("ROLLBACK").now_or_never();
    }
}

/// What a query returned, within the caps.
struct Fetched {
    /// The columns, known once a row arrived.
    columns: Option<Vec<ColumnInfo>>,
    rows: Vec<Vec<Value>>,
    truncated: bool,
}

impl Fetched {
    fn output(self, columns: Vec<ColumnInfo>) -> QueryOutput {
        QueryOutput {
            row_count: self.rows.len(),
            columns,
            rows: self.rows,
            truncated: self.truncated,
            elapsed_ms: 0.0,
        }
    }
}

fn column_infos(columns: &[Column]) -> Vec<ColumnInfo> {
    columns
        .iter()
        .map(|c| ColumnInfo {
            name: c.name().to_owned(),
            r#type: c.type_().name().to_owned(),
        })
        .collect()
}

/// The length of `cells` as a JSON array, without building the text.
fn json_len(cells: &[Value]) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail.
    let _ = serde_json::to_writer(&mut count, cells);
    count.0
}
