//! `revtops sync --provider <p> [--org <id|domain>] [--user <email>] [--full]`: one sync in the
//! foreground (`--user` picks whose calendar for personal providers),
//! through the same queue and runner the background workers use (so it never runs alongside a
//! worker's run of the same integration), with a progress bar and a summary.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::NotAvailable;
use crate::config::Config;
use crate::connectors::Scope;
use crate::db::models::SyncRun;
use crate::db::schema::{integrations, organizations, sync_runs, users};
use crate::db::{self, DbPool};
use crate::services::validate::{OrgRef, org_ref};
use crate::sync::providers::NangoConnectors;
use crate::sync::queue::{self, NewRun, Outcome, Trigger};
use crate::sync::{Provider, SyncEngine, runner, workers};

/// Which connection to sync: `--org` and, for personal providers, `--user`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Target<'a> {
    pub org: Option<&'a str>,
    pub user: Option<&'a str>,
}

pub async fn run(
    config: &Config,
    provider: &str,
    target: Target<'_>,
    full: bool,
) -> anyhow::Result<()> {
    let Some(provider) = Provider::parse(provider) else {
        return Err(NotAvailable(format!(
            "unknown provider {provider:?}; expected hubspot, salesforce, slack or google_calendar"
        ))
        .into());
    };
    if !provider.syncable() {
        return Err(NotAvailable(format!(
            "syncing {} is not available in this build",
            provider.as_str()
        ))
        .into());
    }
    if target.user.is_some() && provider.scope() == Scope::Organization {
        return Err(NotAvailable(format!(
            "--user is for personal connections (google_calendar); {} belongs to the organization",
            provider.as_str()
        ))
        .into());
    }
    if db::admin::ensure_database(&config.database_url).await? {
        println!("created database {}", config.database_url.database_name());
    }
    let pool = db::pool::connect(&config.database_url, 4).await?;
    db::migrate::run_pending(&pool).await?;
    let (org_id, integration_id) = find_integration(&pool, provider, target).await?;
    let engine = Arc::new(SyncEngine::new(
        pool.clone(),
        config.database_url.clone(),
        config.sync.clone(),
        NangoConnectors::new(config.integrations.clone(), config.sync.clone()),
        // Progress goes to this process's bar only.
        &crate::cache::Cache::Memory(Default::default()),
    ));
    let worker_id = format!("{}#cli", engine.instance);
    let enqueued = {
        let mut conn = pool.get().await?;
        queue::enqueue(
            &mut conn,
            NewRun {
                organization_id: org_id,
                integration_id,
                provider: provider.as_str().into(),
                trigger: Trigger::Cli,
                full_sync: full,
                requested_by: None,
            },
        )
        .await?
    };
    let Some(run) = claim_or_wait(&engine, &worker_id, &enqueued.run).await? else {
        return Ok(());
    };
    let committed = run
        .progress
        .get("records")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    if committed > 0 {
        println!(
            "resuming run {} from its last committed page ({committed} records already written)",
            run.id
        );
    }

    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
        }
    });
    let bar = progress_bar(&engine, run.id);
    let started = Instant::now();
    let outcome = runner::execute(&engine, run.clone(), &worker_id, cancel).await;
    bar.finish_and_clear();
    summarize(&pool, run.id, committed, started.elapsed(), &outcome).await
}

/// The active integration of `provider` that `target` names (the only one, when it names none).
async fn find_integration(
    pool: &DbPool,
    provider: Provider,
    target: Target<'_>,
) -> anyhow::Result<(Uuid, Uuid)> {
    let mut conn = pool.get().await?;
    let mut query = integrations::table
        .inner_join(organizations::table)
        .left_join(users::table.on(users::id.nullable().eq(integrations::user_id)))
        .filter(integrations::provider.eq(provider.as_str()))
        .filter(integrations::scope.eq(provider.scope().as_str()))
        .filter(integrations::is_active.eq(true))
        .select((integrations::organization_id, integrations::id))
        .into_boxed();
    if let Some(key) = target.org {
        query = match org_ref(key) {
            OrgRef::Id(id) => query.filter(organizations::id.eq(id)),
            OrgRef::Domain(domain) => query.filter(organizations::email_domain.eq(domain)),
        };
    }
    if let Some(email) = target.user {
        query = query.filter(users::email.eq(email.trim().to_lowercase()));
    }
    let found: Vec<(Uuid, Uuid)> = query.limit(2).load(&mut conn).await?;
    let name = provider.as_str();
    let whose = match (target.org, target.user) {
        (Some(org), Some(user)) => format!("{user:?} of organization {org:?} has"),
        (None, Some(user)) => format!("{user:?} has"),
        (Some(org), None) => format!("organization {org:?} has"),
        (None, None) => String::new(),
    };
    match found.as_slice() {
        [one] => Ok(*one),
        [] if whose.is_empty() => {
            bail!("no organization has {name} connected; connect it in the app first")
        }
        [] => bail!("{whose} no active {name} integration (or does not exist)"),
        _ if provider.scope() == Scope::User => bail!(
            "several members have {name} connected; choose one with --user <email> \
             (and --org <id|domain> if needed)"
        ),
        _ => {
            bail!("several organizations have {name} connected; choose one with --org <id|domain>")
        }
    }
}

/// Claims the run; when a worker is running it, waits until it finishes (and reports that) or
/// its heartbeat goes stale (and takes it over).
async fn claim_or_wait(
    engine: &SyncEngine,
    worker_id: &str,
    run: &SyncRun,
) -> anyhow::Result<Option<SyncRun>> {
    let mut told = false;
    loop {
        if let Some(claimed) = workers::claim_next(engine, worker_id, Some(run.id)).await? {
            return Ok(Some(claimed));
        }
        let mut conn = engine.pool.get().await?;
        let current: SyncRun = sync_runs::table
            .find(run.id)
            .select(SyncRun::as_select())
            .first(&mut conn)
            .await?;
        match current.status.as_str() {
            "running" if !told => {
                println!(
                    "run {} is already running on {}; waiting for it to finish (or to take it over \
                     if that worker stopped)",
                    current.id,
                    current.worker_id.as_deref().unwrap_or("another worker")
                );
                told = true;
            }
            "queued" | "running" => {}
            status => {
                println!(
                    "run {} finished while waiting: {status}{}",
                    current.id,
                    current.error.map(|e| format!(" ({e})")).unwrap_or_default()
                );
                return Ok(None);
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn progress_bar(engine: &Arc<SyncEngine>, run_id: Uuid) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let mut events = engine.events.subscribe();
    let shown = bar.clone();
    tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            if event.run_id == run_id && event.status.is_none() {
                shown.set_message(format!(
                    "{}: {} records written, {} skipped",
                    event.object, event.records, event.skipped
                ));
            }
        }
    });
    bar
}

/// `before`: records the run had committed before this process took it (a resumed run), so the
/// rate is this process's own.
async fn summarize(
    pool: &DbPool,
    run_id: Uuid,
    before: u64,
    elapsed: Duration,
    outcome: &Outcome,
) -> anyhow::Result<()> {
    let mut conn = pool.get().await?;
    let run: SyncRun = sync_runs::table
        .find(run_id)
        .select(SyncRun::as_select())
        .first(&mut conn)
        .await?;
    let records = run
        .progress
        .get("records")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    let secs = elapsed.as_secs_f64().max(1e-3);
    println!(
        "run {}: {} in {:.1}s — {} records ({:.0}/s), {} skipped",
        run.id,
        run.status,
        secs,
        records,
        records.saturating_sub(before) as f64 / secs,
        run.error_count
    );
    if let Some(counts) = run.counts.as_object() {
        let n = |c: &serde_json::Value, key: &str| c[key].as_u64().unwrap_or(0);
        for (object, c) in counts {
            println!(
                "  {object:<10} {:>9} records {:>6} skipped {:>6} pages",
                n(c, "records"),
                n(c, "skipped"),
                n(c, "pages")
            );
        }
    }
    match outcome {
        Outcome::Succeeded => Ok(()),
        Outcome::Interrupted => {
            bail!("interrupted; the next `revtops sync` or a worker resumes from the last page")
        }
        Outcome::Failed(e) => bail!("sync failed: {e}"),
    }
}
