//! The statements of one load and how they run: the per-table SQL in dependency order, the
//! transaction settings, pruning rows beyond the requested size, the foreign-key mode, and the
//! summary read back at the end.

use chrono::NaiveDate;
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use super::{DemoScale, DemoSummary};

/// (name, statement, table to analyze right after it).
type Step = (&'static str, &'static str, Option<&'static str>);

/// One statement per table but the activities ([`ACTIVITIES_SQL`]), in dependency order: each
/// finds the rows of the earlier ones by `source_id`. The tables named third are analyzed right
/// after their load, inside the transaction (ANALYZE sees our uncommitted rows): the later
/// statements join against them, and without fresh statistics the planner may hash the big
/// generated side instead of the table, which costs many seconds at the large size.
const STEPS: [Step; 5] = [
    ("reps", include_str!("reps.sql"), None),
    ("stages", include_str!("stages.sql"), None),
    ("accounts", include_str!("accounts.sql"), Some("accounts")),
    ("contacts", include_str!("contacts.sql"), Some("contacts")),
    ("deals", include_str!("deals.sql"), Some("deals")),
];

/// The last statement, which also takes the range of activities to write: `$8` first, `$9` last.
const ACTIVITIES_SQL: &str = include_str!("activities.sql");

/// Tables pruned of demo rows numbered beyond the requested size, children first so that no
/// `ON DELETE SET NULL` has work to do: (table, source_id prefix, digits).
const PRUNE: [(&str, &str, usize); 5] = [
    ("activities", "activity", 7),
    ("deals", "deal", 6),
    ("contacts", "contact", 6),
    ("accounts", "acct", 6),
    ("users", "rep", 3),
];

/// Runs `work` on `client` inside a transaction, committed if it succeeds.
pub(super) async fn in_transaction<T>(
    client: &Client,
    work: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, tokio_postgres::Error> {
    client.batch_execute("BEGIN").await?;
    // The joins back to rows inserted moments ago have poor statistics to go by; left alone the
    // planner may pick nested loops that probe an index once per generated row (minutes instead
    // of seconds for the large size). Hash joins are right for every statement here. JIT would
    // only add compile time to queries that run once; the memory keeps the hash tables and the
    // activities' date sort (see activities.sql) off disk.
    let settings = client
        .batch_execute(
            "SET LOCAL enable_nestloop = off; SET LOCAL jit = off; SET LOCAL work_mem = '256MB'",
        )
        .await;
    let result = match settings {
        Ok(()) => work.await,
        Err(e) => Err(e),
    };
    match result {
        Ok(value) => {
            client.batch_execute("COMMIT").await?;
            Ok(value)
        }
        Err(e) => {
            // The original error is the one worth reporting.
            let _ = client.batch_execute("ROLLBACK").await;
            Err(e)
        }
    }
}

/// One load's parameters.
#[derive(Clone, Copy)]
pub(super) struct Load<'a> {
    pub(super) org_id: Uuid,
    pub(super) scale: DemoScale,
    pub(super) anchor: NaiveDate,
    /// Told the name of each step as it starts.
    pub(super) progress: Option<super::Progress<'a>>,
}

impl Load<'_> {
    fn report(&self, step: &'static str) {
        if let Some(progress) = self.progress {
            progress(step);
        }
    }

    /// Prunes, then upserts everything but the activities, in the caller's transaction.
    pub(super) async fn parents(&self, client: &Client) -> Result<(), tokio_postgres::Error> {
        self.prune_and_set_mode(client).await?;
        for step in STEPS {
            self.step(client, step).await?;
        }
        Ok(())
    }

    /// [`prune`], then [`skip_foreign_key_checks`] for the rest of the caller's transaction.
    async fn prune_and_set_mode(&self, client: &Client) -> Result<(), tokio_postgres::Error> {
        prune(client, self.org_id, self.scale).await?;
        let checks = skip_foreign_key_checks(client, self.org_id).await?;
        tracing::debug!(foreign_key_checks = ?checks, "demo load mode");
        Ok(())
    }

    /// One of [`STEPS`], in the caller's transaction.
    async fn step(
        &self,
        client: &Client,
        (name, sql, analyze): Step,
    ) -> Result<(), tokio_postgres::Error> {
        self.report(name);
        let started = std::time::Instant::now();
        let rows = client.execute(sql, &self.params()).await?;
        if let Some(table) = analyze {
            client.batch_execute(&format!("ANALYZE {table}")).await?;
        }
        tracing::debug!(
            step = name,
            rows,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo rows written"
        );
        Ok(())
    }

    /// Upserts the activities numbered `first..=last` (in date order, see activities.sql), in
    /// the caller's transaction, after [`Load::parents`] (in it or committed).
    pub(super) async fn activities(
        &self,
        client: &Client,
        first: i32,
        last: i32,
    ) -> Result<(), tokio_postgres::Error> {
        if first > last {
            return Ok(());
        }
        self.report("activities");
        let started = std::time::Instant::now();
        let [org, anchor, reps, accounts, contacts, deals, activities] = self.params();
        let rows = client
            .execute(
                ACTIVITIES_SQL,
                &[
                    org, anchor, reps, accounts, contacts, deals, activities, &first, &last,
                ],
            )
            .await?;
        tracing::debug!(
            step = "activities",
            first,
            last,
            rows,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "demo rows written"
        );
        Ok(())
    }

    /// The load in three rounds of transactions, each committed before the next round starts
    /// (its rows must be visible to the other connections): pruning, reps, stages and accounts
    /// on `client`; contacts and deals side by side (deals refer to accounts, not contacts);
    /// then one range of activities per connection. `helpers` must not be empty.
    pub(super) async fn in_parallel(
        &self,
        client: &Client,
        helpers: &[Client],
    ) -> Result<DemoSummary, tokio_postgres::Error> {
        let [reps, stages, accounts, contacts, deals] = STEPS;
        in_transaction(client, async {
            self.prune_and_set_mode(client).await?;
            for step in [reps, stages, accounts] {
                self.step(client, step).await?;
            }
            Ok(())
        })
        .await?;
        let helper = &helpers[0];
        self.side_by_side([
            (client, self.step(client, contacts)),
            (helper, self.step(helper, deals)),
        ])
        .await?;
        let connections: Vec<&Client> = std::iter::once(client).chain(helpers).collect();
        let n = self.scale.activities;
        let parts = connections.len() as i32;
        self.side_by_side(connections.into_iter().enumerate().map(|(i, c)| {
            let i = i as i32;
            (
                c,
                self.activities(c, n * i / parts + 1, n * (i + 1) / parts),
            )
        }))
        .await?;
        summary(client, self.org_id).await
    }

    /// Runs each piece of work in its own transaction on its own connection, all at once. Each
    /// transaction decides for itself whether to skip the foreign-key checks; the organization
    /// row it locks keeps the organization, and with it every row referred to (see
    /// [`skip_foreign_key_checks`]), until it commits. Every transaction is waited for (none is
    /// left half-sent on its connection) before the first error, if any, is returned.
    async fn side_by_side<'c, W>(
        &self,
        work: impl IntoIterator<Item = (&'c Client, W)>,
    ) -> Result<(), tokio_postgres::Error>
    where
        W: std::future::Future<Output = Result<(), tokio_postgres::Error>>,
    {
        let transactions = work.into_iter().map(|(client, work)| {
            in_transaction(client, async move {
                skip_foreign_key_checks(client, self.org_id).await?;
                work.await
            })
        });
        let mut first_error = None;
        for result in futures_util::future::join_all(transactions).await {
            if let Err(e) = result {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 7] {
        [
            &self.org_id,
            &self.anchor,
            &self.scale.reps,
            &self.scale.accounts,
            &self.scale.contacts,
            &self.scale.deals,
            &self.scale.activities,
        ]
    }
}

/// Whether the inserts below run with or without the per-row foreign-key checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ForeignKeyChecks {
    /// `session_replication_role = replica`: the foreign keys hold by construction.
    Skipped,
    /// The login may not change `session_replication_role` (not a superuser): checked per row.
    Checked,
}

/// Turns off the foreign-key triggers for the rest of the transaction when the login may
/// (`session_replication_role = replica`, superusers only): they are a quarter of the cost of
/// the large load, and every reference written here holds by construction:
///
/// - each one is to a demo row of the same organization that the statement found by joining on
///   it, and that the load wrote earlier: in this transaction (invisible to others until
///   commit), or upserted in it (`ON CONFLICT DO UPDATE` locks every conflicting row, even one
///   its `WHERE` leaves alone), or in an earlier transaction of a parallel load;
/// - demo rows are deleted only by [`prune`], at the start of a load, with the `ON DELETE`
///   actions on, and the organization's loads queue behind each other; nothing else in the
///   application deletes demo rows (syncs write only their own source system's rows, and
///   records are soft-deleted);
/// - the organization row, whose deletion cascades to everything, is locked here as the
///   foreign-key checks would have (`FOR KEY SHARE`), and the mode is left off if it does not
///   exist, so that the checks report that.
///
/// The only other triggers on these tables set `updated_at` on update, and the upserts set it
/// themselves. A login without the privilege keeps the checks, and the load is just slower.
async fn skip_foreign_key_checks(
    client: &Client,
    org_id: Uuid,
) -> Result<ForeignKeyChecks, tokio_postgres::Error> {
    let org = client
        .query_opt(
            "SELECT 1 FROM organizations WHERE id = $1 FOR KEY SHARE",
            &[&org_id],
        )
        .await?;
    if org.is_none() {
        return Ok(ForeignKeyChecks::Checked);
    }
    // A refused SET aborts the transaction; the savepoint undoes just that.
    client.batch_execute("SAVEPOINT demo_replica").await?;
    let set = client
        .batch_execute("SET LOCAL session_replication_role = replica")
        .await;
    match set {
        Ok(()) => {
            client
                .batch_execute("RELEASE SAVEPOINT demo_replica")
                .await?;
            Ok(ForeignKeyChecks::Skipped)
        }
        Err(e) if e.code() == Some(&SqlState::INSUFFICIENT_PRIVILEGE) => {
            client
                .batch_execute("ROLLBACK TO SAVEPOINT demo_replica; RELEASE SAVEPOINT demo_replica")
                .await?;
            Ok(ForeignKeyChecks::Checked)
        }
        Err(e) => Err(e),
    }
}

/// Deletes the organization's demo rows numbered beyond `scale`.
async fn prune(
    client: &Client,
    org_id: Uuid,
    scale: DemoScale,
) -> Result<(), tokio_postgres::Error> {
    let counts = [
        scale.activities,
        scale.deals,
        scale.contacts,
        scale.accounts,
        scale.reps,
    ];
    for ((table, prefix, digits), count) in PRUNE.into_iter().zip(counts) {
        // Fixed-width numbers compare correctly as text; "C" keeps the locale out of it. Rows
        // of another shape cannot be ours and go too.
        let sql = format!(
            "DELETE FROM {table} WHERE organization_id = $1 AND source_system = 'demo' \
             AND NOT (source_id ~ $2 AND source_id COLLATE \"C\" <= $3)"
        );
        let shape = format!("^{prefix}-[0-9]{{{digits}}}$");
        let last = format!("{prefix}-{count:0digits$}");
        let deleted = client.execute(&sql, &[&org_id, &shape, &last]).await?;
        if deleted > 0 {
            tracing::debug!(table, deleted, "pruned demo rows beyond the requested size");
        }
    }
    Ok(())
}

pub(super) async fn summary(
    client: &Client,
    org_id: Uuid,
) -> Result<DemoSummary, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM users WHERE organization_id = $1 AND source_system = 'demo'),
                    (SELECT count(*) FROM accounts WHERE organization_id = $1 AND source_system = 'demo'),
                    (SELECT count(*) FROM contacts WHERE organization_id = $1 AND source_system = 'demo'),
                    (SELECT count(*) FROM deals WHERE organization_id = $1 AND source_system = 'demo'),
                    (SELECT count(*) FROM activities WHERE organization_id = $1 AND source_system = 'demo'),
                    (SELECT count(*) FROM pipeline_stages WHERE organization_id = $1 AND source_system = 'demo')",
            &[&org_id],
        )
        .await?;
    Ok(DemoSummary {
        reps: row.get(0),
        accounts: row.get(1),
        contacts: row.get(2),
        deals: row.get(3),
        activities: row.get(4),
        stages: row.get(5),
    })
}
