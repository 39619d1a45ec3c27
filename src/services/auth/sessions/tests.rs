use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Change, Session, SessionCache};
use crate::db::models::User;
use crate::services::auth::{AuthUser, Role};

fn session(
    user_id: Uuid,
    org_id: Option<Uuid>,
    token_id: &str,
    expires: DateTime<Utc>,
) -> Arc<Session> {
    Arc::new(Session {
        auth: AuthUser {
            user_id,
            org_id,
            role: Role::Member,
            email: None,
            email_verified: false,
            token_id: Some(token_id.to_owned()),
            token_expires_at: expires,
        },
        user: User {
            id: user_id,
            organization_id: org_id,
            auth_subject: None,
            email: None,
            email_verified: false,
            name: None,
            avatar_url: None,
            role: "member".into(),
            status: "active".into(),
            password_hash: None,
            last_login_at: None,
            created_at: Utc::now(),
            deleted_at: None,
            sessions_valid_after: None,
        },
        org: None,
    })
}

fn live(ttl_ms: u64) -> SessionCache {
    let cache = SessionCache::new(Duration::from_millis(ttl_ms));
    cache.set_live(true);
    cache
}

fn later() -> DateTime<Utc> {
    Utc::now() + chrono::Duration::hours(1)
}

#[test]
fn payloads_name_what_changed_and_anything_else_means_everything() {
    let id = Uuid::new_v4();
    assert_eq!(Change::parse(&format!("user:{id}")), Change::User(id));
    assert_eq!(Change::parse(&format!("org:{id}")), Change::Org(id));
    assert_eq!(
        Change::parse("token:abc:def"),
        Change::Token("abc:def".into())
    );
    assert_eq!(Change::parse("user:not-a-uuid"), Change::All);
    assert_eq!(Change::parse("all"), Change::All);
    assert_eq!(Change::parse("something new"), Change::All);
}

#[test]
fn nothing_is_served_or_kept_until_the_listener_is_live_nor_when_disabled() {
    let cache = SessionCache::new(Duration::from_secs(5));
    assert!(cache.ticket().is_none());
    assert!(cache.get("t").is_none());
    cache.set_live(true);
    let ticket = cache.ticket().expect("live");
    cache.insert(ticket, "t", session(Uuid::new_v4(), None, "j", later()));
    assert!(cache.get("t").is_some());
    cache.set_live(false);
    assert!(cache.get("t").is_none());
    assert!(cache.is_empty(), "losing the listener drops what was held");

    let off = live(0);
    assert!(off.ticket().is_none(), "SESSION_CACHE_MS=0 caches nothing");
}

#[test]
fn a_load_that_raced_an_eviction_is_not_kept() {
    let cache = live(5_000);
    let ticket = cache.ticket().unwrap();
    cache.evict(&Change::User(Uuid::new_v4()));
    cache.insert(ticket, "t", session(Uuid::new_v4(), None, "j", later()));
    assert!(cache.get("t").is_none());
}

#[test]
fn evictions_drop_only_the_sessions_they_name() {
    let cache = live(5_000);
    let (alice, bob, org) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let keep = |token: &str, s| cache.insert(cache.ticket().unwrap(), token, s);
    keep("a1", session(alice, Some(org), "ja1", later()));
    keep("a2", session(alice, Some(org), "ja2", later()));
    keep("b1", session(bob, None, "jb1", later()));

    cache.evict(&Change::Token("ja1".into()));
    assert!(cache.get("a1").is_none());
    assert!(cache.get("a2").is_some());

    cache.evict(&Change::Org(org));
    assert!(cache.get("a2").is_none());
    assert!(cache.get("b1").is_some());

    cache.evict(&Change::User(bob));
    assert!(cache.is_empty());
}

#[test]
fn an_entry_outlives_neither_its_lifetime_nor_its_token() {
    let cache = live(30);
    cache.insert(
        cache.ticket().unwrap(),
        "t",
        session(Uuid::new_v4(), None, "j", later()),
    );
    assert!(cache.get("t").is_some());
    std::thread::sleep(Duration::from_millis(60));
    assert!(cache.get("t").is_none());

    let cache = live(60_000);
    let expired = Utc::now() - chrono::Duration::seconds(1);
    cache.insert(
        cache.ticket().unwrap(),
        "old",
        session(Uuid::new_v4(), None, "j", expired),
    );
    assert!(cache.get("old").is_none());
}
