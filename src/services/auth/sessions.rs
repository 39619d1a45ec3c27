//! Verified sessions kept in memory for a moment, so an authenticated request needs no database
//! round trip. Correctness rests on three rules:
//!
//! - an entry lives at most `SESSION_CACHE_MS`, and never past its token's expiry;
//! - every change to a user, an organization or the revoked tokens is announced by a trigger at
//!   commit (whoever made it), and the listener evicts what it names;
//! - entries are served only while that listener is connected: without it a change could go
//!   unheard, so every request reads the database, and the cache starts empty when it is back.
//!
//! A load that began before an eviction is not cached (the epoch moved while it ran), so a
//! request that read the old row cannot put it back after the change was announced.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use uuid::Uuid;

use super::AuthUser;
use crate::db::models::{Organization, User};

/// The channel the triggers of migration `session_notify` announce changes on.
pub const CHANNEL: &str = "revtops_sessions";

/// At most this many tokens are kept; past it expired entries go, then everything.
const CAPACITY: usize = 10_000;

/// A verified token with the user and organization it resolved to.
#[derive(Debug)]
pub struct Session {
    pub auth: AuthUser,
    pub user: User,
    pub org: Option<Organization>,
}

/// What a change announcement names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    User(Uuid),
    Org(Uuid),
    Token(String),
    All,
}

impl Change {
    /// Reads a trigger's payload; anything unexpected evicts everything rather than nothing.
    pub fn parse(payload: &str) -> Self {
        let id = |raw: &str| Uuid::parse_str(raw).ok();
        match payload.split_once(':') {
            Some(("user", raw)) => id(raw).map_or(Self::All, Self::User),
            Some(("org", raw)) => id(raw).map_or(Self::All, Self::Org),
            Some(("token", raw)) => Self::Token(raw.to_owned()),
            _ => Self::All,
        }
    }

    fn concerns(&self, session: &Session) -> bool {
        match self {
            Self::User(id) => session.user.id == *id,
            Self::Org(id) => session.user.organization_id == Some(*id),
            Self::Token(id) => session.auth.token_id.as_deref() == Some(id),
            Self::All => true,
        }
    }
}

struct Entry {
    session: Arc<Session>,
    until: Instant,
}

#[derive(Default)]
struct Entries {
    /// Moves on every eviction; a load records it first and is cached only if it has not moved.
    epoch: u64,
    by_token: HashMap<String, Entry>,
}

impl Entries {
    fn forget(&mut self, change: &Change) {
        self.epoch += 1;
        if *change == Change::All {
            self.by_token.clear();
        } else {
            self.by_token.retain(|_, e| !change.concerns(&e.session));
        }
    }
}

pub struct SessionCache {
    ttl: Duration,
    live: AtomicBool,
    entries: RwLock<Entries>,
}

/// Proof that a load began at a given epoch while the cache was serving.
#[derive(Debug, Clone, Copy)]
pub struct LoadTicket(u64);

impl SessionCache {
    /// A cache keeping sessions for `ttl` (zero: never).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            live: AtomicBool::new(false),
            entries: RwLock::new(Entries::default()),
        }
    }

    pub fn is_enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// Whether entries are being served (enabled, and the change listener is connected).
    pub fn is_live(&self) -> bool {
        self.is_enabled() && self.live.load(Ordering::Acquire)
    }

    /// The listener connected (true) or lost its connection (false). Either way what is held
    /// may have missed a change, so it is dropped.
    pub fn set_live(&self, live: bool) {
        let mut entries = self.write();
        entries.forget(&Change::All);
        self.live.store(live, Ordering::Release);
    }

    pub fn get(&self, token: &str) -> Option<Arc<Session>> {
        if !self.is_live() {
            return None;
        }
        let entries = self.read();
        let entry = entries.by_token.get(token)?;
        (entry.until > Instant::now()).then(|| Arc::clone(&entry.session))
    }

    /// Taken before reading the database for `token`; None when nothing would be cached.
    pub fn ticket(&self) -> Option<LoadTicket> {
        self.is_live().then(|| LoadTicket(self.read().epoch))
    }

    /// Keeps a session loaded under `ticket`, unless something was evicted since.
    pub fn insert(&self, ticket: LoadTicket, token: &str, session: Arc<Session>) {
        let left = (session.auth.token_expires_at - Utc::now())
            .to_std()
            .unwrap_or_default();
        let lifetime = self.ttl.min(left);
        if lifetime.is_zero() {
            return;
        }
        let mut entries = self.write();
        if entries.epoch != ticket.0 || !self.is_live() {
            return;
        }
        let now = Instant::now();
        if entries.by_token.len() >= CAPACITY {
            entries.by_token.retain(|_, e| e.until > now);
            if entries.by_token.len() >= CAPACITY {
                entries.by_token.clear();
            }
        }
        entries.by_token.insert(
            token.to_owned(),
            Entry {
                session,
                until: now + lifetime,
            },
        );
    }

    /// Drops the sessions `change` concerns.
    pub fn evict(&self, change: &Change) {
        self.write().forget(change);
    }

    pub fn len(&self) -> usize {
        self.read().by_token.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    // A panic while holding the lock leaves plain data behind; keep serving rather than poison
    // every later request.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Entries> {
        self.entries.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Entries> {
        self.entries.write().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests;
