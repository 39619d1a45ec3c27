//! The connection a run writes its pages over: tokio-postgres itself rather than the diesel
//! pool, because binary COPY ([`super::staging`]) needs the driver's copy API. One per run, with
//! its staging tables created once.

use std::time::Duration;

use tokio_postgres::{Client, NoTls};

use super::{SyncError, staging};
use crate::config::DatabaseUrl;

pub struct PageWriter {
    client: Client,
    connection: tokio::task::JoinHandle<()>,
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
        staging::prepare(&client).await?;
        Ok(Self { client, connection })
    }

    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

impl Drop for PageWriter {
    fn drop(&mut self) {
        self.connection.abort();
    }
}
