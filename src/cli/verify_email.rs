//! `revtops verify-email <address>`: an operator confirms a local account's address by hand, for
//! servers that send no email (no SMTP_URL), so its owner can claim or join by email domain.

use crate::config::Config;
use crate::db;
use crate::services::{ServiceError, account};

use super::NotAvailable;

pub async fn run(config: &Config, email: &str) -> anyhow::Result<()> {
    let pool = db::pool::connect(&config.database_url, 1).await?;
    match account::mark_verified(&pool, email).await {
        Ok(()) => {
            println!("{email} is verified");
            Ok(())
        }
        Err(ServiceError::NotFound(_)) => {
            Err(NotAvailable(format!("no active account has the email {email}")).into())
        }
        Err(e) => Err(e.into()),
    }
}
