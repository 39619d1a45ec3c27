//! Each organization's fair share of the analytics connections: at most `per_org` of its queries
//! run at once on this replica, so one tenant's slow queries cannot take every connection and
//! leave the others waiting. A query over the share waits for a turn (up to the statement
//! timeout) without holding a connection meanwhile.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use super::SqlError;

pub struct FairShare {
    per_org: usize,
    wait: Duration,
    orgs: Mutex<HashMap<Uuid, Arc<Semaphore>>>,
}

impl FairShare {
    pub fn new(per_org: usize, wait: Duration) -> Self {
        Self {
            per_org: per_org.max(1),
            wait,
            orgs: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for one of `org`'s turns; the turn ends when the permit is dropped.
    pub async fn enter(&self, org: Uuid) -> Result<OwnedSemaphorePermit, SqlError> {
        let slots = {
            let mut orgs = self.orgs.lock().unwrap_or_else(|p| p.into_inner());
            // Forget idle organizations so the map cannot grow without bound.
            if orgs.len() > 1024 {
                orgs.retain(|_, s| s.available_permits() < self.per_org);
            }
            Arc::clone(
                orgs.entry(org)
                    .or_insert_with(|| Arc::new(Semaphore::new(self.per_org))),
            )
        };
        match tokio::time::timeout(self.wait, slots.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(SqlError::Busy(self.per_org)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_organization_cannot_take_the_others_turns() {
        let shares = FairShare::new(2, Duration::from_millis(50));
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let first = shares.enter(a).await.unwrap();
        let _second = shares.enter(a).await.unwrap();
        assert!(matches!(shares.enter(a).await, Err(SqlError::Busy(2))));
        assert!(shares.enter(b).await.is_ok(), "b has its own share");
        drop(first);
        assert!(shares.enter(a).await.is_ok(), "a turn freed up");
    }
}
