//! Saved queries, dashboards, CSV exports and uploaded images through the real API: what a team
//! keeps, arranges and downloads, each scoped to its organization.

mod common;

use common::TestApp;
use common::http::Request;
use serde_json::{Value, json};
use uuid::Uuid;

const DEALS_SQL: &str = "SELECT name, stage, amount FROM deals ORDER BY name";

/// Deals with names a CSV writer must quote, accent or defuse.
async fn seed_deals(app: &TestApp, org: Uuid) -> Vec<(String, Option<String>, Option<String>)> {
    let db = app.db.client().await;
    let rows = [
        ("Acme, Inc. renewal", Some("won"), Some("1200.50")),
        (
            "Zoë \"big\" deal\nsecond line",
            Some("proposal"),
            Some("-300"),
        ),
        ("=HYPERLINK(\"http://evil\")", None, None),
        ("Globex", Some("discovery"), Some("99999999.99")),
    ];
    for (i, (name, stage, amount)) in rows.iter().enumerate() {
        db.execute(
            "INSERT INTO deals (organization_id, source_system, source_id, name, stage, amount)
             VALUES ($1, 'hubspot', $2, $3, $4, $5::text::numeric)",
            &[&org, &i.to_string(), name, stage, amount],
        )
        .await
        .unwrap();
    }
    // What the database holds (amounts at the column's scale), to compare files against.
    let mut expected: Vec<_> = db
        .query(
            "SELECT name, stage, amount::text FROM deals WHERE organization_id = $1",
            &[&org],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    expected.sort();
    expected
}

async fn save(app: &TestApp, token: &str, body: Value) -> common::http::Reply {
    app.client()
        .call("POST", "/api/artifacts", Some(token), Some(&body))
        .await
}

async fn saved_deals_artifact(app: &TestApp, token: &str) -> String {
    let reply = save(
        app,
        token,
        json!({"title": "Open deals", "sql": DEALS_SQL,
               "chart": {"kind": "bar", "x": "name", "y": ["amount"]}}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["id"].as_str().unwrap().to_owned()
}

/// A minimal CSV reader (RFC 4180) for checking what the server wrote.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text
        .strip_prefix('\u{feff}')
        .expect("UTF-8 byte-order mark");
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CRLF line ends");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        row.is_empty() && field.is_empty(),
        "the file ends with CRLF"
    );
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_saved_as_an_artifact_keeps_its_rows_and_a_refused_one_is_not_saved() {
    let app = TestApp::spawn().await;
    let (token, _, org) = common::accounts::admin_with_org(&app, "saver@acme.com").await;
    seed_deals(&app, org).await;
    let client = app.client();

    let reply = save(
        &app,
        &token,
        json!({"title": "  Snapshot of deals ", "sql": DEALS_SQL, "is_live": false,
               "chart": {"kind": "pie", "x": "name", "y": ["amount"]}}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let artifact = reply.json();
    assert_eq!(artifact["title"], "Snapshot of deals");
    assert_eq!(artifact["type"], "analysis");
    assert_eq!(artifact["chart"]["kind"], "pie");
    assert_eq!(artifact["chart"]["query"], "result");
    let id = artifact["id"].as_str().unwrap();

    // A snapshot keeps what was read, even after the data changes, and says when it was read.
    let db = app.db.client().await;
    db.execute("DELETE FROM deals WHERE organization_id = $1", &[&org])
        .await
        .unwrap();
    let data = client
        .get_auth(&format!("/api/artifacts/{id}/data"), &token)
        .await
        .json();
    assert_eq!(data["live"], false);
    assert_eq!(data["results"]["result"]["row_count"], 4);
    assert_eq!(data["read_at"], artifact["created_at"]);

    let refused = save(
        &app,
        &token,
        json!({"title": "Sneaky", "sql": "SELECT * FROM pg_roles"}),
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(refused.error_code(), "query_rejected");
    let bad_chart = save(
        &app,
        &token,
        json!({"title": "Broken chart", "sql": DEALS_SQL,
               "chart": {"kind": "bar", "x": "name", "y": ["no_such_column"]}}),
    )
    .await;
    assert_eq!(bad_chart.status, 422, "{}", bad_chart.text());
    assert!(
        bad_chart.text().contains("no_such_column"),
        "{}",
        bad_chart.text()
    );
    let blank = save(&app, &token, json!({"title": "   ", "sql": DEALS_SQL})).await;
    assert_eq!(blank.status, 422, "{}", blank.text());

    let all = client.get_auth("/api/artifacts", &token).await.json();
    assert_eq!(all.as_array().unwrap().len(), 1, "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_exports_hold_every_row_as_the_database_has_it() {
    let app = TestApp::spawn().await;
    let (token, _, org) = common::accounts::admin_with_org(&app, "csv@acme.com").await;
    let expected = seed_deals(&app, org).await;
    // Another organization's deals never reach the file.
    let (other, _, other_org) = common::accounts::admin_with_org(&app, "csv@globex.com").await;
    seed_deals(&app, other_org).await;
    let id = saved_deals_artifact(&app, &token).await;

    let reply = app
        .client()
        .get_auth(&format!("/api/artifacts/{id}/csv"), &token)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        reply.header("content-disposition"),
        Some("attachment; filename=\"open-deals.csv\"; filename*=UTF-8''open-deals.csv")
    );
    assert_eq!(reply.header("x-truncated"), Some("false"));
    let rows = parse_csv(&reply.text());
    assert_eq!(rows[0], ["name", "stage", "amount"]);
    let mut got: Vec<_> = rows[1..]
        .iter()
        .map(|r| {
            let name = r[0].strip_prefix('\'').unwrap_or(&r[0]).to_owned();
            let opt = |s: &String| (!s.is_empty()).then(|| s.clone());
            (name, opt(&r[1]), opt(&r[2]))
        })
        .collect();
    got.sort();
    assert_eq!(got, expected);
    // The formula is defused; the negative amount is still a number.
    assert!(
        rows.iter().any(|r| r[0] == "'=HYPERLINK(\"http://evil\")"),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r[2] == "-300.00"), "{rows:?}");

    // The explorer's export runs the same way.
    let reply = app
        .client()
        .call(
            "POST",
            "/api/query/csv",
            Some(&token),
            Some(&json!({"sql": "SELECT count(*) AS n FROM deals", "limit": 10})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(parse_csv(&reply.text()), [["n"], ["4"]]);
    let refused = app
        .client()
        .call(
            "POST",
            "/api/query/csv",
            Some(&token),
            Some(&json!({"sql": "DELETE FROM deals"})),
        )
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.error_code(), "query_rejected");

    // Another organization cannot export it.
    let foreign = app
        .client()
        .get_auth(&format!("/api/artifacts/{id}/csv"), &other)
        .await;
    assert_eq!(foreign.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_holds_tiles_that_can_be_arranged_resized_and_redrawn() {
    let app = TestApp::spawn().await;
    let (admin, _, org) = common::accounts::admin_with_org(&app, "boss@acme.com").await;
    let (member, _) =
        common::accounts::invited_member(&app, &admin, "rep@acme.com", "member").await;
    seed_deals(&app, org).await;
    let client = app.client();
    let first = saved_deals_artifact(&app, &admin).await;
    let second = saved_deals_artifact(&app, &member).await;

    let board = client
        .call(
            "POST",
            "/api/dashboards",
            Some(&member),
            Some(&json!({"title": "Pipeline review"})),
        )
        .await;
    assert_eq!(board.status, 201, "{}", board.text());
    let board = board.json()["id"].as_str().unwrap().to_owned();
    let tiles_url = format!("/api/dashboards/{board}/tiles");
    let mut tile_ids = Vec::new();
    for artifact in [&first, &second] {
        let tile = client
            .call(
                "POST",
                &tiles_url,
                Some(&admin),
                Some(&json!({"artifact_id": artifact})),
            )
            .await;
        assert_eq!(tile.status, 201, "{}", tile.text());
        let tile = tile.json();
        assert_eq!(tile["width"], 6);
        assert_eq!(tile["chart"], Value::Null, "draws the artifact's own chart");
        tile_ids.push(tile["id"].as_str().unwrap().to_owned());
    }

    // Switch the first tile to a pie and widen it; a chart naming a missing column is refused.
    let tile_url = format!("{tiles_url}/{}", tile_ids[0]);
    let switched = client
        .call(
            "PATCH",
            &tile_url,
            Some(&member),
            Some(&json!({"width": 12, "chart": {"kind": "pie", "x": "stage", "y": ["amount"]}})),
        )
        .await;
    assert_eq!(switched.status, 200, "{}", switched.text());
    assert_eq!(switched.json()["chart"]["kind"], "pie");
    assert_eq!(switched.json()["width"], 12);
    let bad = client
        .call(
            "PATCH",
            &tile_url,
            Some(&member),
            Some(&json!({"chart": {"kind": "line", "x": "name", "y": ["stage"]}})),
        )
        .await;
    assert_eq!(
        bad.status,
        422,
        "a text column cannot be plotted: {}",
        bad.text()
    );
    let too_wide = client
        .call(
            "PATCH",
            &tile_url,
            Some(&member),
            Some(&json!({"width": 13})),
        )
        .await;
    assert!(matches!(too_wide.status, 400 | 422), "{}", too_wide.text());

    // Reorder: the second tile first. A list that misses a tile is refused.
    let order_url = format!("/api/dashboards/{board}/order");
    let partial = client
        .call(
            "PUT",
            &order_url,
            Some(&member),
            Some(&json!({"tile_ids": [tile_ids[1]]})),
        )
        .await;
    assert_eq!(partial.status, 422, "{}", partial.text());
    let reordered = client
        .call(
            "PUT",
            &order_url,
            Some(&member),
            Some(&json!({"tile_ids": [tile_ids[1], tile_ids[0]]})),
        )
        .await;
    assert_eq!(reordered.status, 200, "{}", reordered.text());

    let view = client
        .get_auth(&format!("/api/dashboards/{board}"), &admin)
        .await
        .json();
    let tiles = view["tiles"].as_array().unwrap();
    assert_eq!(tiles[0]["id"], tile_ids[1].as_str());
    assert_eq!(tiles[1]["id"], tile_ids[0].as_str());
    assert_eq!(tiles[1]["chart"]["kind"], "pie", "the switch was kept");
    assert_eq!(
        tiles[1]["artifact"]["chart"]["kind"], "bar",
        "the artifact is unchanged"
    );

    // Back to the artifact's chart, rename, then a deleted artifact leaves the dashboard.
    let reset = client
        .call(
            "PATCH",
            &tile_url,
            Some(&member),
            Some(&json!({"chart": null})),
        )
        .await;
    assert_eq!(reset.json()["chart"], Value::Null);
    let renamed = client
        .call(
            "PATCH",
            &format!("/api/dashboards/{board}"),
            Some(&member),
            Some(&json!({"title": "Weekly pipeline"})),
        )
        .await;
    assert_eq!(renamed.json()["title"], "Weekly pipeline");
    let deleted = client
        .call(
            "DELETE",
            &format!("/api/artifacts/{second}"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    let list = client.get_auth("/api/dashboards", &admin).await.json();
    assert_eq!(list[0]["title"], "Weekly pipeline");
    assert_eq!(list[0]["tile_count"], 1, "{list}");
    let removed = client.call("DELETE", &tile_url, Some(&member), None).await;
    assert_eq!(removed.status, 204);
    let again = client.call("DELETE", &tile_url, Some(&member), None).await;
    assert_eq!(again.status, 404);

    // Deleting the dashboard is for its creator or an admin; its artifacts stay.
    let (other_member, _) =
        common::accounts::invited_member(&app, &admin, "other@acme.com", "member").await;
    let refused = client
        .call(
            "DELETE",
            &format!("/api/dashboards/{board}"),
            Some(&other_member),
            None,
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text());
    let gone = client
        .call(
            "DELETE",
            &format!("/api/dashboards/{board}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(gone.status, 204);
    let artifact = client
        .get_auth(&format!("/api/artifacts/{first}"), &admin)
        .await;
    assert_eq!(artifact.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboards_and_their_tiles_stay_inside_their_organization() {
    let app = TestApp::spawn().await;
    let (ours, _, org) = common::accounts::admin_with_org(&app, "a@acme.com").await;
    let (theirs, _, their_org) = common::accounts::admin_with_org(&app, "b@globex.com").await;
    seed_deals(&app, org).await;
    seed_deals(&app, their_org).await;
    let client = app.client();
    let our_artifact = saved_deals_artifact(&app, &ours).await;
    let their_artifact = saved_deals_artifact(&app, &theirs).await;
    let create = |token: &'static str| json!({"title": token});
    let our_board = client
        .call(
            "POST",
            "/api/dashboards",
            Some(&ours),
            Some(&create("ours")),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let their_board = client
        .call(
            "POST",
            "/api/dashboards",
            Some(&theirs),
            Some(&create("theirs")),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let tile = client
        .call(
            "POST",
            &format!("/api/dashboards/{their_board}/tiles"),
            Some(&theirs),
            Some(&json!({"artifact_id": their_artifact})),
        )
        .await
        .json();
    let their_tile = tile["id"].as_str().unwrap();

    // Their dashboard, their tile: not found, whatever we try.
    let base = format!("/api/dashboards/{their_board}");
    for (method, path, body) in [
        ("GET", base.clone(), None),
        ("PATCH", base.clone(), Some(json!({"title": "mine now"}))),
        ("DELETE", base.clone(), None),
        (
            "POST",
            format!("{base}/tiles"),
            Some(json!({"artifact_id": our_artifact})),
        ),
        (
            "PATCH",
            format!("{base}/tiles/{their_tile}"),
            Some(json!({"width": 3})),
        ),
        ("DELETE", format!("{base}/tiles/{their_tile}"), None),
        (
            "PUT",
            format!("{base}/order"),
            Some(json!({"tile_ids": [their_tile]})),
        ),
    ] {
        let reply = client.call(method, &path, Some(&ours), body.as_ref()).await;
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.text());
    }
    // Their artifact cannot be pinned to our dashboard, nor their tile moved through it.
    let pinned = client
        .call(
            "POST",
            &format!("/api/dashboards/{our_board}/tiles"),
            Some(&ours),
            Some(&json!({"artifact_id": their_artifact})),
        )
        .await;
    assert_eq!(pinned.status, 404, "{}", pinned.text());
    let via_ours = client
        .call(
            "DELETE",
            &format!("/api/dashboards/{our_board}/tiles/{their_tile}"),
            Some(&ours),
            None,
        )
        .await;
    assert_eq!(via_ours.status, 404);
    let list = client.get_auth("/api/dashboards", &ours).await.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let still = client.get_auth(&base, &theirs).await.json();
    assert_eq!(still["title"], "theirs");
    assert_eq!(still["tiles"].as_array().unwrap().len(), 1);
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    bytes
}

async fn upload(
    app: &TestApp,
    path: &str,
    token: &str,
    ty: &str,
    body: Vec<u8>,
) -> common::http::Reply {
    app.client()
        .send(Request {
            method: "PUT",
            path: path.into(),
            headers: vec![
                ("authorization".into(), format!("Bearer {token}")),
                ("content-type".into(), ty.into()),
            ],
            body: Some(body),
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logos_and_avatars_are_uploaded_checked_and_served_back() {
    let app = TestApp::spawn().await;
    let (admin, _, _) = common::accounts::admin_with_org(&app, "logo@acme.com").await;
    let (member, _) = common::accounts::invited_member(&app, &admin, "m@acme.com", "member").await;
    let logo_path = "/api/auth/organizations/current/logo";

    let uploaded = upload(&app, logo_path, &admin, "image/png", png()).await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.text());
    let url = uploaded.json()["logo_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("/api/images/"), "{url}");
    let served = app.client().get(&url).await;
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert_eq!(served.body, png());
    assert!(
        served
            .header("cache-control")
            .unwrap()
            .contains("immutable")
    );

    // Members cannot change it; SVG, lying types and oversized files are refused.
    assert_eq!(
        upload(&app, logo_path, &member, "image/png", png())
            .await
            .status,
        403
    );
    let svg = upload(&app, logo_path, &admin, "image/svg+xml", b"<svg/>".to_vec()).await;
    assert_eq!(svg.status, 415, "{}", svg.text());
    let lying = upload(&app, logo_path, &admin, "image/jpeg", png()).await;
    assert_eq!(lying.status, 422, "{}", lying.text());
    let html = upload(&app, logo_path, &admin, "image/gif", b"<script>".to_vec()).await;
    assert_eq!(html.status, 422, "{}", html.text());
    let mut big = png();
    big.resize(600 * 1024, 0);
    let big = upload(&app, logo_path, &admin, "image/png", big).await;
    assert!(matches!(big.status, 413 | 422), "{}", big.text());

    // A new logo replaces the old, whose address stops working; removing clears it.
    let mut other = png();
    other.push(1);
    let replaced = upload(&app, logo_path, &admin, "image/png", other)
        .await
        .json();
    assert_ne!(replaced["logo_url"], url.as_str());
    assert_eq!(app.client().get(&url).await.status, 404);
    let removed = app
        .client()
        .call("DELETE", logo_path, Some(&admin), None)
        .await;
    assert_eq!(removed.json()["logo_url"], Value::Null);

    // Everyone sets their own avatar and name.
    let avatar = upload(&app, "/api/auth/me/avatar", &member, "image/png", png()).await;
    assert_eq!(avatar.status, 200, "{}", avatar.text());
    let avatar_url = avatar.json()["user"]["avatar_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.client().get(&avatar_url).await.status, 200);
    let named = app
        .client()
        .call(
            "PATCH",
            "/api/auth/me",
            Some(&member),
            Some(&json!({"name": "  Bo   Smith "})),
        )
        .await;
    assert_eq!(named.status, 200, "{}", named.text());
    assert_eq!(named.json()["user"]["name"], "Bo Smith");
    let bad_name = app
        .client()
        .call(
            "PATCH",
            "/api/auth/me",
            Some(&member),
            Some(&json!({"name": "a\u{7}b"})),
        )
        .await;
    assert!(matches!(bad_name.status, 400 | 422), "{}", bad_name.text());
    let members = app
        .client()
        .get_auth("/api/auth/organizations/current/members", &admin)
        .await
        .json();
    let bo = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "m@acme.com")
        .unwrap();
    assert_eq!(bo["name"], "Bo Smith");
    assert_eq!(bo["avatar_url"], avatar_url.as_str());

    // A deleted account's picture goes with it: its address stops working.
    let deleted = app
        .client()
        .call("DELETE", "/api/auth/me", Some(&member), None)
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    assert_eq!(app.client().get(&avatar_url).await.status, 404);
}
