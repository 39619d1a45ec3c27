//! The fake third parties the browser tests need, as one process: Nango, a HubSpot portal of a
//! few thousand records and a Slack workspace that rate-limits history reads (one every few
//! seconds, as Slack does to apps that read faster than their tier allows), the same stateful
//! fakes the Rust tests use (`tests/common`), speaking
//! their real wire formats. `ui/e2e` starts it (`cargo build --example e2e_fakes`), reads one
//! JSON line with the addresses, and steers it through a small control API:
//!
//! - `POST /connect`: completes the last connect session as if its user finished Nango's Connect
//!   UI for HubSpot; answers `{connection_id, provider_config_key}`;
//! - `POST /latency?ms=N`: every HubSpot answer waits N ms (so a sync takes long enough to watch);
//! - `POST /fail?status=401|500&n=N`: HubSpot's next N answers fail; `POST /heal` clears that.
//!
//! It exits when its standard input closes (the test runner went away).

#[path = "../tests/common/fake_hubspot.rs"]
mod fake_hubspot;
#[path = "../tests/common/fake_nango.rs"]
#[allow(dead_code)]
mod fake_nango;
#[path = "../tests/common/fake_slack.rs"]
mod fake_slack;
#[path = "../tests/common/serve.rs"]
mod serve;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use fake_hubspot::{Dataset, FakeHubSpot, Fault};
use fake_nango::FakeNango;
use fake_slack::{FakeChannel, FakeSlack};
use poem::web::{Data, Json, Query};
use poem::{EndpointExt, Route, handler};
use serde_json::{Value, json};

struct Fakes {
    hubspot: Arc<FakeHubSpot>,
    nango: FakeNango,
    connections: AtomicU64,
}

#[handler]
fn connect(fakes: Data<&Arc<Fakes>>) -> Json<Value> {
    let session = fakes.nango.last_session();
    let n = fakes.connections.fetch_add(1, Ordering::Relaxed) + 1;
    let id = format!("e2e-hubspot-{n}");
    fakes
        .nango
        .add_connection("hubspot", &id, json!(session.tags));
    Json(json!({"connection_id": id, "provider_config_key": "hubspot"}))
}

#[handler]
fn latency(Query(q): Query<HashMap<String, u64>>, fakes: Data<&Arc<Fakes>>) -> Json<Value> {
    let ms = q.get("ms").copied().unwrap_or(0);
    fakes.hubspot.set_latency(ms);
    Json(json!({"latency_ms": ms}))
}

#[handler]
fn fail(Query(q): Query<HashMap<String, u32>>, fakes: Data<&Arc<Fakes>>) -> Json<Value> {
    let n = q.get("n").copied().unwrap_or(1);
    let fault = match q.get("status").copied().unwrap_or(401) {
        401 => Fault::Unauthorized,
        other => Fault::Status(other as u16),
    };
    fakes.hubspot.fail_next("/", n, fault);
    Json(json!({"failing": n}))
}

#[handler]
fn heal(fakes: Data<&Arc<Fakes>>) -> Json<Value> {
    fakes.hubspot.clear_faults();
    Json(json!({"failing": 0}))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let records: u64 = std::env::var("E2E_HUBSPOT_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let hubspot = Arc::new(
        FakeHubSpot::start(Dataset {
            owners: 12,
            companies: records / 10,
            contacts: records * 3 / 10,
            deals: records / 5,
            per_engagement_type: records * 2 / 25,
        })
        .await,
    );
    let slack = FakeSlack::start(vec![FakeChannel {
        id: "C1".into(),
        name: "deals".into(),
        member: true,
        // More than two reads of 200 (what an entered bot token asks for), so the throttle
        // below is met.
        generated: 450,
        extras: Vec::new(),
    }])
    .await;
    slack.throttle_history(std::time::Duration::from_secs(3));
    let nango = FakeNango::start().await;
    let source = Arc::clone(&hubspot);
    nango.issue_tokens_from(move || source.current_token());
    let fakes = Arc::new(Fakes {
        hubspot,
        nango,
        connections: AtomicU64::new(0),
    });
    let control = Route::new()
        .at("/connect", poem::post(connect))
        .at("/latency", poem::post(latency))
        .at("/fail", poem::post(fail))
        .at("/heal", poem::post(heal))
        .data(Arc::clone(&fakes));
    let (control_url, _stop) = serve::serve_fake(control).await;
    println!(
        "{}",
        json!({
            "nango_url": fakes.nango.url,
            "nango_secret": fakes.nango.secret,
            "hubspot_url": fakes.hubspot.base_url(),
            "slack_url": slack.base_url(),
            "slack_token": slack.token(),
            "control_url": control_url,
            "records": records,
        })
    );
    // Until the parent closes our standard input.
    let _ = tokio::task::spawn_blocking(|| {
        use std::io::Read;
        std::io::stdin().read_to_end(&mut Vec::new())
    })
    .await;
}
