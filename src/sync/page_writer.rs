//! The connection a run writes its pages over: tokio-postgres itself rather than the diesel
//! pool, because binary COPY ([`super::staging`]) needs the driver's copy API. One per run, with
//! its staging tables created once.

use std::collections::HashMap;
use std::time::Duration;

use tokio_postgres::{Client, NoTls, Statement};

use super::{SyncError, staging};
use crate::config::DatabaseUrl;

pub struct PageWriter {
    client: Client,
    connection: tokio::task::JoinHandle<()>,
    /// Pages committed since the staging tables were last truncated.
    since_sweep: u32,
    /// Upserts prepared on this connection, by their text.
    prepared: HashMap<&'static str, Statement>,
}

impl PageWriter {
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, SyncError> {
        let mut config: tokio_postgres::Config = url.expose().parse()?;
        config
            .application_name("revtops-sync")
            .connect_timeout(Duration::from_secs(5));
        let (client, connection) = config.connect(NoTls).await?;
        let connection = tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "page writer connection ended");
            }
        });
        // The connection writes pages and nothing else, so its settings are the pages'.
        // Not waiting for the WAL flush is safe: a page's rows and cursor commit together, so a
        // crash that loses a commit loses both and the page is fetched again.
        // A page is a hundred-odd rows joined to tables of any size by unique keys: an index
        // lookup per row. The planner, pricing index lookups as if they went to disk, would hash
        // the whole referenced table instead (a full scan of every contact per page of
        // activities, so a backfill grows quadratically); without hash and merge joins it looks
        // each row up. That plan does not depend on the page, so it is made once per connection.
        client
            .batch_execute(
                "SET synchronous_commit TO off; SET enable_hashjoin TO off; \
                 SET enable_mergejoin TO off; SET plan_cache_mode TO force_generic_plan",
            )
            .await?;
        staging::prepare(&client).await?;
        Ok(Self {
            client,
            connection,
            since_sweep: 0,
            prepared: HashMap::new(),
        })
    }

    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// `sql` prepared on this connection, the first time it is asked for.
    pub async fn statement(&mut self, sql: &'static str) -> Result<Statement, SyncError> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql).await?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }

    /// Counts a committed page, truncating the staging tables every so many.
    pub async fn committed(&mut self) -> Result<(), SyncError> {
        self.since_sweep += 1;
        if self.since_sweep >= staging::TRUNCATE_EVERY {
            staging::sweep(&self.client).await?;
            self.since_sweep = 0;
        }
        Ok(())
    }
}

impl Drop for PageWriter {
    fn drop(&mut self) {
        self.connection.abort();
    }
}
