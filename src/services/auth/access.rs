//! Events that end or change someone's access — a token revoked at sign-out, a member removed
//! from their organization or given another role — published on a bus shared by every replica,
//! so that open chat sockets re-check their session within a moment of the change.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cache::{Bus, Cache};

pub const CHANNEL: &str = "revtops:access_events";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccessEvent {
    /// A token was revoked (its `jti`, or the Supabase session id).
    TokenRevoked { token_id: String },
    /// The user's membership or role changed, or the user is gone.
    UserChanged { user_id: Uuid },
}

impl AccessEvent {
    /// Whether a session of `user_id` holding `token_id` must re-check its access.
    pub fn concerns(&self, user_id: Uuid, token_id: Option<&str>) -> bool {
        match self {
            Self::TokenRevoked { token_id: revoked } => token_id == Some(revoked.as_str()),
            Self::UserChanged { user_id: changed } => *changed == user_id,
        }
    }
}

pub type AccessBus = Bus<AccessEvent>;

pub fn bus(cache: &Cache) -> AccessBus {
    Bus::new(CHANNEL, cache)
}
