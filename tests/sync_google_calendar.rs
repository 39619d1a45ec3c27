//! Google Calendar syncs end to end: two members of one organization each connect their own
//! calendar (fake Nango hands each connection its token, the fake Google serves each token its
//! calendar), trigger their own syncs through the API, and the tables are compared with the
//! fakes' truth: one row per member per event, links to CRM contacts by attendee email, and
//! privacy enforced where people read: `/api/query` as each member.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::TestApp;
use common::accounts::{admin_with_org, invited_member};
use common::fake_google_calendar::FakeGoogleCalendar;
use common::fake_nango::FakeNango;
use serde_json::{Value, json};
use uuid::Uuid;

struct Member {
    token: String,
    id: Uuid,
    /// The Google access token Nango hands out for their connection.
    google: String,
}

struct World {
    google: FakeGoogleCalendar,
    nango: FakeNango,
    app: TestApp,
    org: Uuid,
    ana: Member,
    bob: Member,
}

fn at(days: i64, hour: u32) -> String {
    let d = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    format!("{d}T{hour:02}:00:00Z")
}

fn meeting(id: &str, summary: &str, days: i64, attendees: &[&str]) -> Value {
    json!({
        "id": id, "status": "confirmed", "summary": summary,
        "start": {"dateTime": at(days, 15)}, "end": {"dateTime": at(days, 16)},
        "updated": "2026-11-20T08:00:00.000Z",
        "organizer": {"email": attendees[0]},
        "attendees": attendees.iter().map(|e| json!({"email": e, "responseStatus": "accepted"}))
            .collect::<Vec<_>>(),
    })
}

async fn world() -> World {
    let google = FakeGoogleCalendar::start().await;
    let nango = FakeNango::start().await;
    let app = TestApp::spawn_with(&[
        ("NANGO_HOST", nango.url.as_str()),
        ("NANGO_SECRET_KEY", nango.secret.as_str()),
        ("GOOGLE_CALENDAR_BASE_URL", google.base_url()),
        ("SYNC_WORKERS", "2"),
        ("SYNC_RETRY_BASE_MS", "20"),
    ])
    .await;
    let (ana_token, ana_id, org) = admin_with_org(&app, "ana@acme.com").await;
    let (bob_token, bob_id) = invited_member(&app, &ana_token, "bob@acme.com", "member").await;
    let db = app.db.client().await;
    let connect = |user: Uuid, email: &str| {
        let tags = json!({"organization_id": org.to_string(), "end_user_id": user.to_string()});
        let google_token = nango.add_connection("google-calendar", &format!("gc-{user}"), tags);
        google.add_calendar(&google_token, email);
        google_token
    };
    let ana_google = connect(ana_id, "ana@acme.com");
    let bob_google = connect(bob_id, "bob@acme.com");
    for user in [ana_id, bob_id] {
        db.execute(
            "INSERT INTO integrations (organization_id, provider, scope, user_id, nango_connection_id)
             VALUES ($1, 'google_calendar', 'user', $2, $3)",
            &[&org, &user, &format!("gc-{user}")],
        )
        .await
        .unwrap();
    }
    // A customer already in the CRM: meetings with her link to her and her company.
    db.execute(
        "WITH a AS (INSERT INTO accounts (organization_id, source_system, source_id, name, domain)
                    VALUES ($1, 'hubspot', 'c-1', 'Customer Inc', 'customer.com') RETURNING id)
         INSERT INTO contacts (organization_id, source_system, source_id, email, first_name, account_id)
         SELECT $1, 'hubspot', 'p-1', 'carol@customer.com', 'Carol', a.id FROM a",
        &[&org],
    )
    .await
    .unwrap();
    World {
        google,
        nango,
        app,
        org,
        ana: Member {
            token: ana_token,
            id: ana_id,
            google: ana_google,
        },
        bob: Member {
            token: bob_token,
            id: bob_id,
            google: bob_google,
        },
    }
}

impl World {
    async fn sync(&self, who: &Member) -> Value {
        let run =
            common::runs::sync(&self.app, &who.token, self.org, "google_calendar", false).await;
        assert_eq!(run["status"], json!("succeeded"), "{run}");
        run
    }

    /// Calendar subjects `who` can read through the SQL API.
    async fn visible(&self, who: &Member) -> BTreeSet<String> {
        let reply = self
            .app
            .client()
            .call(
                "POST",
                "/api/query",
                Some(&who.token),
                Some(&json!({"sql": "SELECT subject FROM activities \
                                     WHERE source_system = 'google_calendar' AND deleted_at IS NULL"})),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[0].as_str().unwrap().to_owned())
            .collect()
    }

    async fn share(&self, who: &Member, shared: bool) -> Value {
        let reply = self
            .app
            .client()
            .call(
                "PUT",
                "/api/auth/integrations/google_calendar/sharing",
                Some(&who.token),
                Some(&json!({"shared": shared})),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()
    }
}

const BOTH: [&str; 3] = ["ana@acme.com", "bob@acme.com", "carol@customer.com"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_member_syncs_their_calendar_and_private_stays_private() {
    let w = world().await;
    // One meeting on both calendars (Google gives it one id), one private event of Ana's, one
    // internal meeting of Bob's, an all-day event and a meeting outside the window.
    let qbr = meeting("qbr1", "Customer QBR", -3, &BOTH);
    w.google.put(&w.ana.google, qbr.clone());
    w.google.put(&w.bob.google, qbr);
    let mut doctor = meeting("doc1", "Doctor", 1, &["ana@acme.com"]);
    doctor["visibility"] = json!("private");
    w.google.put(&w.ana.google, doctor);
    w.google.put(
        &w.ana.google,
        json!({"id": "off1", "status": "confirmed", "summary": "Offsite",
               "start": {"date": at(5, 0)[..10]}, "end": {"date": at(6, 0)[..10]},
               "updated": "2026-11-20T08:00:00.000Z"}),
    );
    w.google.put(
        &w.bob.google,
        meeting("one1", "Bob 1:1", -1, &["bob@acme.com", "ana@acme.com"]),
    );
    w.google
        .put(&w.bob.google, meeting("old1", "Last year", -400, &BOTH));

    let run = w.sync(&w.ana).await;
    assert_eq!(run["counts"]["events"]["records"], json!(3), "{run}");
    let mut ana_runs = vec![run["id"].clone()];
    let bob_run = w.sync(&w.bob).await["id"].clone();

    // The tables against the fakes: one row per member and event, qualified by the member.
    let db = w.app.db.client().await;
    let rows = db
        .query(
            "SELECT a.source_id, a.subject, a.type, a.private_to, a.is_private, c.email,
                    acc.domain, a.duration_seconds, a.participants, a.owner_id
               FROM activities a
               LEFT JOIN contacts c ON c.id = a.contact_id
               LEFT JOIN accounts acc ON acc.id = a.account_id
              WHERE a.organization_id = $1 AND a.source_system = 'google_calendar'
              ORDER BY a.source_id",
            &[&w.org],
        )
        .await
        .unwrap();
    let ids: BTreeSet<String> = rows.iter().map(|r| r.get(0)).collect();
    let want: BTreeSet<String> = [
        format!("{}:qbr1", w.ana.id),
        format!("{}:doc1", w.ana.id),
        format!("{}:off1", w.ana.id),
        format!("{}:qbr1", w.bob.id),
        format!("{}:one1", w.bob.id),
    ]
    .into_iter()
    .collect();
    assert_eq!(ids, want);
    for r in &rows {
        let source_id: String = r.get(0);
        let owner = if source_id.starts_with(&w.ana.id.to_string()) {
            w.ana.id
        } else {
            w.bob.id
        };
        assert_eq!(r.get::<_, String>(2), "meeting");
        // Nobody has shared yet: every row belongs to its member alone.
        assert_eq!(r.get::<_, Option<Uuid>>(3), Some(owner), "{source_id}");
        assert_eq!(
            r.get::<_, Option<Uuid>>(9),
            Some(owner),
            "{source_id} owner"
        );
        assert_eq!(r.get::<_, bool>(4), source_id.ends_with(":doc1"));
        if source_id.ends_with(":qbr1") {
            assert_eq!(
                r.get::<_, Option<String>>(5).as_deref(),
                Some("carol@customer.com")
            );
            assert_eq!(
                r.get::<_, Option<String>>(6).as_deref(),
                Some("customer.com")
            );
            assert_eq!(r.get::<_, Option<i32>>(7), Some(3600));
            let emails: BTreeSet<String> = r
                .get::<_, Value>(8)
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["email"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(emails, BOTH.iter().map(|e| e.to_string()).collect());
        }
    }

    let set = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        w.visible(&w.ana).await,
        set(&["Customer QBR", "Doctor", "Offsite"])
    );
    assert_eq!(w.visible(&w.bob).await, set(&["Customer QBR", "Bob 1:1"]));

    // Ana shares: Bob sees her meetings, never her private one, at once and after a sync.
    let view = w.share(&w.ana, true).await;
    assert_eq!(view["shared"], json!(true));
    let bob_sees = set(&["Customer QBR", "Bob 1:1", "Offsite"]);
    assert_eq!(w.visible(&w.bob).await, bob_sees);
    w.google.put(
        &w.ana.google,
        meeting("new1", "Pipeline review", 2, &["ana@acme.com"]),
    );
    ana_runs.push(w.sync(&w.ana).await["id"].clone());
    let mut bob_sees = bob_sees;
    bob_sees.insert("Pipeline review".into());
    assert_eq!(w.visible(&w.bob).await, bob_sees);

    // A cancelled event arrives as its id only: the row is soft-deleted and keeps its history.
    w.google
        .put(&w.ana.google, json!({"id": "qbr1", "status": "cancelled"}));
    ana_runs.push(w.sync(&w.ana).await["id"].clone());
    let row = db
        .query_one(
            "SELECT subject, activity_date IS NOT NULL, deleted_at IS NOT NULL, contact_id IS NOT NULL
               FROM activities WHERE organization_id = $1 AND source_id = $2",
            &[&w.org, &format!("{}:qbr1", w.ana.id)],
        )
        .await
        .unwrap();
    assert_eq!(
        row.get::<_, Option<String>>(0).as_deref(),
        Some("Customer QBR")
    );
    assert!(row.get::<_, bool>(1) && row.get::<_, bool>(2) && row.get::<_, bool>(3));

    // Ana stops sharing: everything of hers is hers alone again.
    assert_eq!(w.share(&w.ana, false).await["shared"], json!(false));
    assert_eq!(w.visible(&w.bob).await, set(&["Customer QBR", "Bob 1:1"]));
    assert_eq!(
        w.visible(&w.ana).await,
        set(&["Doctor", "Offsite", "Pipeline review"])
    );

    // Each member sees their own calendar's runs and status, not the other's.
    let runs = |m: &Member| {
        let client = w.app.client();
        let token = m.token.clone();
        async move {
            let runs = client
                .call("GET", "/api/sync/runs", Some(&token), None)
                .await
                .json();
            runs.as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    let (seen_by_ana, seen_by_bob) = (runs(&w.ana).await, runs(&w.bob).await);
    assert!(ana_runs.iter().all(|r| seen_by_ana.contains(r)));
    assert!(!seen_by_ana.contains(&bob_run));
    assert!(seen_by_bob.contains(&bob_run));
    assert!(!ana_runs.iter().any(|r| seen_by_bob.contains(r)));
    let status = w
        .app
        .client()
        .call(
            "GET",
            &format!("/api/sync/{}/google_calendar/status", w.org),
            Some(&w.bob.token),
            None,
        )
        .await
        .json();
    assert_eq!(status["connected"], json!(true));
    assert_eq!(status["last"]["status"], json!("succeeded"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sharing_is_for_personal_connections_of_ones_own() {
    let w = world().await;
    let client = w.app.client();
    let hubspot = client
        .call(
            "PUT",
            "/api/auth/integrations/hubspot/sharing",
            Some(&w.ana.token),
            Some(&json!({"shared": true})),
        )
        .await;
    assert_eq!(hubspot.status, 400, "{}", hubspot.text());
    // A member without a calendar connected has nothing to share.
    let (carl, _) = invited_member(&w.app, &w.ana.token, "carl@acme.com", "member").await;
    let none = client
        .call(
            "PUT",
            "/api/auth/integrations/google_calendar/sharing",
            Some(&carl),
            Some(&json!({"shared": true})),
        )
        .await;
    assert_eq!(none.status, 404, "{}", none.text());
    let sync = client
        .call(
            "POST",
            &format!("/api/sync/{}/google_calendar", w.org),
            Some(&carl),
            None,
        )
        .await;
    assert_eq!(sync.status, 409, "{}", sync.text());
    assert!(
        sync.text()
            .contains("your Google Calendar is not connected")
    );
    // Ana's sharing choice changed nothing of Bob's.
    w.share(&w.ana, true).await;
    let bob: bool = w
        .app
        .db
        .client()
        .await
        .query_one(
            "SELECT shared FROM integrations WHERE user_id = $1",
            &[&w.bob.id],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!bob);
}

/// `revtops sync --provider google_calendar`: which member's calendar is named by `--user`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_syncs_the_calendar_of_the_member_named() {
    let w = world().await;
    w.google.put(
        &w.bob.google,
        meeting("one1", "Bob 1:1", -1, &["bob@acme.com"]),
    );
    let cli = |args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_revtops"));
        cmd.args(["sync", "--provider", "google_calendar"])
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .current_dir(std::env::temp_dir())
            .env("DATABASE_URL", w.app.db.url.expose())
            .env("NANGO_HOST", &w.nango.url)
            .env("NANGO_SECRET_KEY", &w.nango.secret)
            .env("GOOGLE_CALENDAR_BASE_URL", w.google.base_url())
            .env("RUST_LOG", "warn");
        async move {
            let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
                .await
                .unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            (out.status.success(), text)
        }
    };
    let (ok, text) = cli(&[]).await;
    assert!(!ok && text.contains("choose one with --user"), "{text}");
    let (ok, text) = cli(&["--user", "nobody@acme.com"]).await;
    assert!(!ok && text.contains("no active google_calendar"), "{text}");
    let (ok, text) = cli(&["--user", "Bob@Acme.com"]).await;
    assert!(ok, "{text}");
    let rows: Vec<String> = w
        .app
        .db
        .client()
        .await
        .query(
            "SELECT source_id FROM activities WHERE organization_id = $1 AND source_system = 'google_calendar'",
            &[&w.org],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(rows, vec![format!("{}:one1", w.bob.id)]);
}

/// A saved (not live) report of Ana's private events is hers: Bob opening it gets the query
/// re-run as himself, while a snapshot without private rows is shared as it was saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_of_private_events_is_not_shown_to_colleagues() {
    let w = world().await;
    w.google
        .put(&w.ana.google, meeting("qbr1", "Customer QBR", -3, &BOTH));
    let mut doctor = meeting("doc1", "Doctor", 1, &["ana@acme.com"]);
    doctor["visibility"] = json!("private");
    w.google.put(&w.ana.google, doctor);
    w.sync(&w.ana).await;
    w.share(&w.ana, true).await;
    let client = w.app.client();
    let save = |sql: &str| {
        let body = json!({"title": "Mine", "sql": sql, "is_live": false});
        let client = client.clone();
        let token = w.ana.token.clone();
        async move {
            let r = client
                .call("POST", "/api/artifacts", Some(&token), Some(&body))
                .await;
            assert_eq!(r.status, 201, "{}", r.text());
            r.json()["id"].as_str().unwrap().to_owned()
        }
    };
    let read = |id: String, token: String| {
        let client = client.clone();
        async move {
            let r = client
                .call(
                    "GET",
                    &format!("/api/artifacts/{id}/data"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.text());
            let body = r.json();
            let subjects: Vec<String> = body["results"]["result"]["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r[0].as_str().unwrap_or("").to_owned())
                .collect();
            (body["live"].as_bool().unwrap(), subjects)
        }
    };
    let private = save(
        "SELECT subject FROM activities WHERE source_system = 'google_calendar' ORDER BY subject",
    )
    .await;
    assert_eq!(
        read(private.clone(), w.ana.token.clone()).await,
        (false, vec!["Customer QBR".into(), "Doctor".into()])
    );
    assert_eq!(
        read(private, w.bob.token.clone()).await,
        (true, vec!["Customer QBR".into()])
    );
    let shared = save("SELECT name FROM accounts ORDER BY name").await;
    assert_eq!(
        read(shared, w.bob.token.clone()).await,
        (false, vec!["Customer Inc".into()])
    );
}

/// A calendar sync's live progress reaches its owner's sockets, not their colleagues'.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_progress_reaches_only_its_owner() {
    use common::ws::{Auth, Socket};
    let w = world().await;
    w.google
        .put(&w.ana.google, meeting("qbr1", "Customer QBR", -3, &BOTH));
    let mut ana = Socket::connect(w.app.addr, "/ws/chat", Auth::Header(&w.ana.token))
        .await
        .unwrap();
    let mut bob = Socket::connect(w.app.addr, "/ws/chat", Auth::Header(&w.bob.token))
        .await
        .unwrap();
    assert_eq!(ana.next().await.unwrap()["type"], json!("ready"));
    assert_eq!(bob.next().await.unwrap()["type"], json!("ready"));
    // The sockets subscribe to progress right after `ready`.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let run = w.sync(&w.ana).await;
    let frames = ana.until(&["sync_progress"]).await;
    let first = frames.last().unwrap();
    assert_eq!(first["run_id"], run["id"], "{first}");
    assert_eq!(first["provider"], json!("google_calendar"));
    // An organization-wide event after Ana's run: it is the first progress Bob ever sees.
    w.app.state.sync.publish(revtops::sync::SyncEvent {
        origin: w.app.state.sync.instance.clone(),
        run_id: Uuid::new_v4(),
        organization_id: w.org,
        provider: "hubspot".into(),
        object: "deals".into(),
        records: 7,
        skipped: 0,
        status: None,
        throttled_for_secs: None,
        done_in_secs: None,
        owner: None,
    });
    let frames = bob.until(&["sync_progress"]).await;
    let seen = frames.last().unwrap();
    assert_eq!(seen["provider"], json!("hubspot"), "{frames:?}");
}
