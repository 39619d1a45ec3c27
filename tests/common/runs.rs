//! Following sync runs through the API, the way the data sources page does.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use serde_json::Value;
use uuid::Uuid;

use super::TestApp;

/// Queues a sync of `provider` as `token` (202 expected) and waits for that run to finish.
pub async fn sync(app: &TestApp, token: &str, org: Uuid, provider: &str, full: bool) -> Value {
    let full = if full { "?full=true" } else { "" };
    let path = format!("/api/sync/{org}/{provider}{full}");
    let reply = app.client().call("POST", &path, Some(token), None).await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    let id = reply.json()["run"]["id"].clone();
    finished(app, token, provider, Some(&id)).await
}

/// The run `id` (None: the newest run of `provider`) as `token` sees it in the history, once it
/// is no longer queued or running.
pub async fn finished(app: &TestApp, token: &str, provider: &str, id: Option<&Value>) -> Value {
    first_finished(app, token, provider, |runs| {
        runs.iter().find(|r| id.is_none_or(|id| r["id"] == *id))
    })
    .await
}

/// The newest run of `provider` other than `previous` (a run queued after it), once finished.
pub async fn finished_after(app: &TestApp, token: &str, provider: &str, previous: &Value) -> Value {
    first_finished(app, token, provider, |runs| {
        runs.first().filter(|r| r["id"] != previous["id"])
    })
    .await
}

/// Polls `provider`'s run history (newest first) until the run `pick` names has finished.
async fn first_finished(
    app: &TestApp,
    token: &str,
    provider: &str,
    pick: impl Fn(&[Value]) -> Option<&Value>,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    let path = format!("/api/sync/runs?provider={provider}");
    loop {
        let runs = app
            .client()
            .call("GET", &path, Some(token), None)
            .await
            .json();
        let run = runs.as_array().and_then(|r| pick(r)).cloned();
        if let Some(run) = run
            && !matches!(run["status"].as_str(), Some("queued" | "running"))
        {
            return run;
        }
        assert!(Instant::now() < deadline, "the run did not finish: {runs}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
