//! The in-process cache used when no REDIS_URL is configured (one replica).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entries past their deadline are dropped on read and swept every `SWEEP_EVERY` writes, so the
/// map cannot grow without bound from keys nobody reads again (e.g. per-IP counters).
const SWEEP_EVERY: u64 = 1024;

#[derive(Default)]
struct Inner {
    entries: HashMap<String, (String, Instant)>,
    writes: u64,
}

#[derive(Clone, Default)]
pub struct MemoryCache {
    inner: Arc<Mutex<Inner>>,
}

impl MemoryCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the map logically broken, so keep serving.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, key: &str) -> Option<String> {
        let mut inner = self.lock();
        match inner.entries.get(key) {
            Some((value, deadline)) if *deadline > Instant::now() => Some(value.clone()),
            Some(_) => {
                inner.entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub fn set(&self, key: &str, value: &str, ttl: Duration) {
        let mut inner = self.lock();
        inner
            .entries
            .insert(key.to_owned(), (value.to_owned(), Instant::now() + ttl));
        Self::after_write(&mut inner);
    }

    pub fn set_new(&self, key: &str, value: &str, ttl: Duration) -> bool {
        let mut inner = self.lock();
        let now = Instant::now();
        if inner
            .entries
            .get(key)
            .is_some_and(|(_, deadline)| *deadline > now)
        {
            return false;
        }
        inner
            .entries
            .insert(key.to_owned(), (value.to_owned(), now + ttl));
        Self::after_write(&mut inner);
        true
    }

    pub fn delete(&self, key: &str) {
        self.lock().entries.remove(key);
    }

    pub fn incr_by(&self, key: &str, amount: i64, window: Duration) -> i64 {
        let mut inner = self.lock();
        let now = Instant::now();
        let next = match inner.entries.get(key) {
            Some((value, deadline)) if *deadline > now => (
                value.parse::<i64>().unwrap_or(0).saturating_add(amount),
                *deadline,
            ),
            _ => (amount, now + window),
        };
        inner
            .entries
            .insert(key.to_owned(), (next.0.to_string(), next.1));
        Self::after_write(&mut inner);
        next.0
    }

    pub fn ttl(&self, key: &str) -> Option<Duration> {
        let inner = self.lock();
        let (_, deadline) = inner.entries.get(key)?;
        deadline.checked_duration_since(Instant::now())
    }

    fn after_write(inner: &mut Inner) {
        inner.writes += 1;
        if inner.writes.is_multiple_of(SWEEP_EVERY) {
            let now = Instant::now();
            inner.entries.retain(|_, (_, deadline)| *deadline > now);
        }
    }
}
