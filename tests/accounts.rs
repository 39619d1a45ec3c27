//! Accounts a team can run on its own server: who may sign up, changing a password, one-time
//! reset links an admin issues, invitations listed and revoked, email (through a fake SMTP
//! server) for invitations, resets and address verification, leaving an organization and
//! deleting an account — with what stays behind.

mod common;

use std::time::Duration;

use common::TestApp;
use common::accounts::{admin_with_org, invited_member};
use common::fake_smtp::FakeSmtp;
use common::http::Client;
use common::ws::{Auth, Socket};
use serde_json::{Value, json};
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery";

async fn register(client: &Client, email: &str, invite: Option<&str>) -> common::http::Reply {
    client
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(
                &json!({"email": email, "password": PASSWORD, "name": "Someone",
                         "invite_token": invite}),
            ),
        )
        .await
}

async fn login(client: &Client, email: &str, password: &str) -> u16 {
    client
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(&json!({"email": email, "password": password})),
        )
        .await
        .status
}

async fn me(client: &Client, token: &str) -> common::http::Reply {
    client.get_auth("/api/auth/me", token).await
}

async fn invite(client: &Client, admin: &str, email: &str) -> Value {
    let r = client
        .call(
            "POST",
            "/api/auth/organizations/current/invitations",
            Some(admin),
            Some(&json!({"email": email})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

fn token_of(reply: &common::http::Reply) -> String {
    reply.json()["token"].as_str().unwrap().to_owned()
}

/// The token at the end of an app link (`…/reset-password/<token>`).
fn tail(link: &str) -> &str {
    link.rsplit('/').next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_only_the_first_person_signs_up_and_the_rest_need_an_invitation() {
    let app = TestApp::spawn_with(&[("ALLOW_SIGNUP", "first")]).await;
    let client = app.client();
    assert_eq!(client.get("/api/config").await.json()["signup_open"], true);
    let first = register(&client, "ana@acme.com", None).await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(client.get("/api/config").await.json()["signup_open"], false);
    let second = register(&client, "eve@elsewhere.com", None).await;
    assert_eq!(second.status, 403);
    assert!(second.text().contains("invitation"), "{}", second.text());

    let admin = token_of(&first);
    let created = client
        .call(
            "POST",
            "/api/auth/organizations",
            Some(&admin),
            Some(&json!({"name": "Acme"})),
        )
        .await;
    assert_eq!(created.status, 201);
    let inv = invite(&client, &admin, "bo@acme.com").await;
    let bo = register(&client, "bo@acme.com", inv["token"].as_str()).await;
    assert_eq!(bo.status, 201, "an invitation still lets people in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_the_password_ends_every_other_session() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let (old, _, _) = admin_with_org(&app, "ana@acme.com").await;
    let mut socket = Socket::connect(app.addr, "/ws/chat", Auth::Header(&old))
        .await
        .unwrap();
    assert_eq!(socket.next().await.unwrap()["type"], "ready");

    let wrong = client
        .call(
            "POST",
            "/api/auth/password",
            Some(&old),
            Some(&json!({"current_password": "not the password", "new_password": "a much better one"})),
        )
        .await;
    assert_eq!(wrong.status, 403);
    assert_eq!(wrong.error_code(), "forbidden");
    let short = client
        .call(
            "POST",
            "/api/auth/password",
            Some(&old),
            Some(&json!({"current_password": PASSWORD, "new_password": "short"})),
        )
        .await;
    assert!(matches!(short.status, 400 | 422), "{}", short.text());

    let changed = client
        .call(
            "POST",
            "/api/auth/password",
            Some(&old),
            Some(&json!({"current_password": PASSWORD, "new_password": "a much better one"})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    let new = token_of(&changed);
    assert_eq!(me(&client, &new).await.status, 200, "the new session works");
    let stale = me(&client, &old).await;
    assert_eq!(stale.status, 401, "the old session ended");
    assert!(
        stale.text().contains("password changed"),
        "{}",
        stale.text()
    );
    let mut code = None;
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_secs(5), socket.next()).await {}
    if socket.closed_with.is_some() {
        code = socket.closed_with;
    }
    assert_eq!(
        code,
        Some(4401),
        "the open socket closed as a session that ended"
    );
    assert_eq!(login(&client, "ana@acme.com", PASSWORD).await, 401);
    assert_eq!(
        login(&client, "ana@acme.com", "a much better one").await,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_issues_a_one_time_reset_link_shown_to_them_without_smtp() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let (admin, _, _) = admin_with_org(&app, "ana@acme.com").await;
    let (member, member_id) = invited_member(&app, &admin, "bo@acme.com", "member").await;
    let path = format!("/api/auth/organizations/current/members/{member_id}/password-reset");

    let by_member = client.call("POST", &path, Some(&member), None).await;
    assert_eq!(by_member.status, 403, "members cannot reset each other");
    let (outsider, _, _) = admin_with_org(&app, "eve@evil.com").await;
    let across = client.call("POST", &path, Some(&outsider), None).await;
    assert_eq!(
        across.status, 404,
        "another organization's member does not exist"
    );

    let issued = client.call("POST", &path, Some(&admin), None).await;
    assert_eq!(issued.status, 200, "{}", issued.text());
    let issued = issued.json();
    assert_eq!(issued["emailed"], false);
    let link = issued["link"].as_str().unwrap();
    assert!(link.starts_with("/reset-password/"), "{link}");

    let reset = |token: String, password: &'static str| {
        let client = &client;
        async move {
            client
                .call(
                    "POST",
                    "/api/auth/password-reset",
                    None,
                    Some(&json!({"token": token, "new_password": password})),
                )
                .await
        }
    };
    let bad = reset("not-a-token".into(), "brand new password").await;
    assert_eq!(bad.status, 404);
    let used = reset(tail(link).into(), "brand new password").await;
    assert_eq!(used.status, 200, "{}", used.text());
    assert_eq!(used.json()["user"]["email"], "bo@acme.com");
    assert_eq!(me(&client, &token_of(&used)).await.status, 200);
    assert_eq!(me(&client, &member).await.status, 401, "old sessions ended");
    assert_eq!(
        reset(tail(link).into(), "another password!").await.status,
        404,
        "a link works once"
    );
    assert_eq!(
        login(&client, "bo@acme.com", "brand new password").await,
        200
    );

    // A newer link replaces an unused older one.
    let first = client.call("POST", &path, Some(&admin), None).await.json();
    let second = client.call("POST", &path, Some(&admin), None).await.json();
    let stale = reset(
        tail(first["link"].as_str().unwrap()).into(),
        "third password!",
    )
    .await;
    assert_eq!(stale.status, 404);
    let fresh = reset(
        tail(second["link"].as_str().unwrap()).into(),
        "third password!",
    )
    .await;
    assert_eq!(fresh.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_list_pending_invitations_and_revoke_them() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let (admin, _, _) = admin_with_org(&app, "ana@acme.com").await;
    let bo = invite(&client, &admin, "bo@acme.com").await;
    let cy = invite(&client, &admin, "cy@acme.com").await;
    assert_eq!(bo["emailed"], false);
    assert_eq!(
        bo["link"].as_str().unwrap(),
        format!("/invite/{}", bo["token"].as_str().unwrap())
    );
    let listed = client
        .get_auth("/api/auth/organizations/current/invitations", &admin)
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    let emails: Vec<Value> = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["email"].clone())
        .collect();
    assert_eq!(emails, vec![json!("cy@acme.com"), json!("bo@acme.com")]);
    assert!(listed.text().contains("\"expired\":false"));
    assert!(
        !listed.text().contains(bo["token"].as_str().unwrap()),
        "links are not shown again"
    );

    let (outsider, _, _) = admin_with_org(&app, "eve@evil.com").await;
    let revoke = |who: String, id: Value| {
        let client = &client;
        async move {
            client
                .call(
                    "DELETE",
                    &format!(
                        "/api/auth/organizations/current/invitations/{}",
                        id.as_str().unwrap()
                    ),
                    Some(&who),
                    None,
                )
                .await
                .status
        }
    };
    assert_eq!(revoke(outsider.clone(), bo["id"].clone()).await, 404);
    assert!(
        client
            .get_auth("/api/auth/organizations/current/invitations", &outsider)
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty(),
        "another organization sees none of them"
    );
    assert_eq!(revoke(admin.clone(), bo["id"].clone()).await, 204);
    assert_eq!(revoke(admin.clone(), bo["id"].clone()).await, 404);
    let preview = client
        .call(
            "POST",
            "/api/auth/invitations/preview",
            None,
            Some(&json!({"token": bo["token"]})),
        )
        .await;
    assert_eq!(preview.status, 404, "a revoked link stops working");
    assert_eq!(
        register(&client, "bo@acme.com", bo["token"].as_str())
            .await
            .status,
        404
    );
    let cy_joins = register(&client, "cy@acme.com", cy["token"].as_str()).await;
    assert_eq!(cy_joins.status, 201, "the other invitation still works");
    let left = client
        .get_auth("/api/auth/organizations/current/invitations", &admin)
        .await
        .json();
    assert_eq!(
        left,
        json!([]),
        "accepted invitations are no longer pending"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_smtp_invitations_resets_and_verifications_arrive_by_email() {
    let smtp = FakeSmtp::start().await;
    let app = TestApp::spawn_with(&[
        ("SMTP_URL", &smtp.url()),
        ("PUBLIC_URL", "https://revtops.acme.test"),
        ("MAIL_FROM", "Revtops <robot@acme.test>"),
    ])
    .await;
    let client = app.client();
    let (admin, _, _) = admin_with_org(&app, "ana@acme.com").await;

    let inv = invite(&client, &admin, "bo@acme.com").await;
    assert_eq!(inv["emailed"], true);
    let mails = smtp.to("bo@acme.com");
    assert_eq!(mails.len(), 1, "{:?}", smtp.inbox());
    assert_eq!(mails[0].from, "robot@acme.test");
    let link = mails[0]
        .link("https://revtops.acme.test/invite/")
        .expect("the invitation mail carries its link");
    assert_eq!(link, inv["link"].as_str().unwrap());
    assert!(mails[0].text().contains("Acme"), "{}", mails[0].text());
    let bo = register(&client, "bo@acme.com", Some(tail(&link))).await;
    assert_eq!(bo.status, 201, "the mailed link works: {}", bo.text());
    let bo_id = bo.json()["user"]["id"].as_str().unwrap().to_owned();

    let reset = client
        .call(
            "POST",
            &format!("/api/auth/organizations/current/members/{bo_id}/password-reset"),
            Some(&admin),
            None,
        )
        .await
        .json();
    assert_eq!(reset["emailed"], true);
    let mails = smtp.to("bo@acme.com");
    assert_eq!(mails.len(), 2);
    let link = mails[1]
        .link("https://revtops.acme.test/reset-password/")
        .expect("the reset mail carries its link");
    let used = client
        .call(
            "POST",
            "/api/auth/password-reset",
            None,
            Some(&json!({"token": tail(&link), "new_password": "brand new password"})),
        )
        .await;
    assert_eq!(used.status, 200, "{}", used.text());

    // A verified address lets its owner claim the domain; a colleague verifies and joins.
    let (dan, _, _) = {
        let r = register(&client, "dan@globex.com", None).await;
        (token_of(&r), (), ())
    };
    let claim = || {
        let client = &client;
        let dan = dan.clone();
        async move {
            client
                .call(
                    "POST",
                    "/api/auth/organizations",
                    Some(&dan),
                    Some(&json!({"name": "Globex", "email_domain": "globex.com"})),
                )
                .await
        }
    };
    let unverified = claim().await;
    assert_eq!(unverified.status, 403, "{}", unverified.text());
    verify_by_mail(&client, &smtp, &dan, "dan@globex.com").await;
    let claimed = claim().await;
    assert_eq!(claimed.status, 201, "{}", claimed.text());

    let eve = token_of(&register(&client, "eve@globex.com", None).await);
    let join = |token: String| {
        let client = &client;
        async move {
            client
                .call("POST", "/api/auth/organizations/join", Some(&token), None)
                .await
        }
    };
    assert_eq!(join(eve.clone()).await.status, 403, "not verified yet");
    verify_by_mail(&client, &smtp, &eve, "eve@globex.com").await;
    let joined = join(eve.clone()).await;
    assert_eq!(joined.status, 200, "{}", joined.text());
    assert_eq!(joined.json()["organization"]["name"], "Globex");
}

/// Asks for a verification mail, follows its link, and checks the address is now verified.
async fn verify_by_mail(client: &Client, smtp: &FakeSmtp, token: &str, email: &str) {
    let sent = client
        .call("POST", "/api/auth/email/verification", Some(token), None)
        .await;
    assert_eq!(sent.status, 200, "{}", sent.text());
    let mail = smtp.to(email).pop().expect("a verification mail");
    let link = mail
        .link("https://revtops.acme.test/verify-email/")
        .expect("the mail carries its link");
    let verified = client
        .call(
            "POST",
            "/api/auth/email/verify",
            None,
            Some(&json!({"token": tail(&link)})),
        )
        .await;
    assert_eq!(verified.status, 204, "{}", verified.text());
    assert_eq!(
        me(client, token).await.json()["user"]["email_verified"],
        true
    );
    let again = client
        .call(
            "POST",
            "/api/auth/email/verify",
            None,
            Some(&json!({"token": tail(&link)})),
        )
        .await;
    assert_eq!(again.status, 404, "a verification link works once");
    let resend = client
        .call("POST", "/api/auth/email/verification", Some(token), None)
        .await;
    assert_eq!(resend.status, 409, "already verified");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_verification_says_how_an_operator_verifies_instead() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let r = register(&client, "dan@globex.com", None).await;
    let dan = token_of(&r);
    let sent = client
        .call("POST", "/api/auth/email/verification", Some(&dan), None)
        .await;
    assert_eq!(sent.status, 503);
    assert_eq!(sent.error_code(), "unavailable");
    assert!(
        sent.text().contains("revtops verify-email"),
        "{}",
        sent.text()
    );
    revtops::services::account::mark_verified(&app.state.db, "Dan@Globex.com")
        .await
        .unwrap();
    assert_eq!(
        me(&client, &dan).await.json()["user"]["email_verified"],
        true
    );
    let claimed = client
        .call(
            "POST",
            "/api/auth/organizations",
            Some(&dan),
            Some(&json!({"name": "Globex", "email_domain": "globex.com"})),
        )
        .await;
    assert_eq!(claimed.status, 201, "{}", claimed.text());
}

/// A CRM owner record (as HubSpot sync writes it) with one deal: (user id, deal id).
async fn crm_owner_with_deal(app: &TestApp, org: Uuid, email: &str) -> (Uuid, Uuid) {
    let db = app.db.client().await;
    let owner: Uuid = db
        .query_one(
            "INSERT INTO users (organization_id, email, name, status, source_system, source_id)
             VALUES ($1, $2, 'Rep From HubSpot', 'crm_only', 'hubspot', 'owner-7') RETURNING id",
            &[&org, &email],
        )
        .await
        .unwrap()
        .get(0);
    let deal: Uuid = db
        .query_one(
            "INSERT INTO deals (organization_id, source_system, source_id, name, owner_id)
             VALUES ($1, 'hubspot', 'deal-1', 'Big renewal', $2) RETURNING id",
            &[&org, &owner],
        )
        .await
        .unwrap()
        .get(0);
    (owner, deal)
}

async fn conversation_for(app: &TestApp, org: Uuid, user: Uuid) -> Uuid {
    app.db
        .client()
        .await
        .query_one(
            "INSERT INTO conversations (organization_id, user_id, title) VALUES ($1, $2, 'Mine')
             RETURNING id",
            &[&org, &user],
        )
        .await
        .unwrap()
        .get(0)
}

async fn scalar<T: for<'a> tokio_postgres::types::FromSql<'a>>(
    app: &TestApp,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> T {
    app.db
        .client()
        .await
        .query_one(sql, params)
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_keeps_the_account_and_leaves_crm_records_with_their_owner() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let (admin, admin_id, org) = admin_with_org(&app, "ana@acme.com").await;
    let leave = |token: String| {
        let client = &client;
        async move {
            client
                .call(
                    "POST",
                    "/api/auth/organizations/current/leave",
                    Some(&token),
                    None,
                )
                .await
        }
    };
    let alone = leave(admin.clone()).await;
    assert_eq!(alone.status, 409, "the only member cannot leave");
    assert!(alone.text().contains("only member"), "{}", alone.text());

    // A rep who signed up over their HubSpot owner record (they own a deal there).
    let (owner, deal) = crm_owner_with_deal(&app, org, "rep@acme.com").await;
    let (rep, rep_id) = invited_member(&app, &admin, "rep@acme.com", "member").await;
    assert_eq!(rep_id, owner, "the account took over the owner record");
    let chat = conversation_for(&app, org, rep_id).await;

    let last_admin = leave(admin.clone()).await;
    assert_eq!(last_admin.status, 409);
    assert!(
        last_admin.text().contains("last admin"),
        "{}",
        last_admin.text()
    );

    let left = leave(rep.clone()).await;
    assert_eq!(left.status, 200, "{}", left.text());
    let session = left.json()["session"].clone();
    assert!(
        session.is_object(),
        "the account moved to a new row: {session}"
    );
    let continued = session["token"].as_str().unwrap();
    assert_eq!(me(&client, &rep).await.status, 401, "the old session ended");
    let now = me(&client, continued).await.json();
    assert_eq!(now["organization"], Value::Null);
    assert_eq!(now["user"]["email"], "rep@acme.com");
    assert_ne!(now["user"]["id"], json!(owner));

    let (status, owner_of_deal): (String, Uuid) = {
        let db = app.db.client().await;
        let row = db
            .query_one(
                "SELECT u.status, d.owner_id FROM deals d JOIN users u ON u.id = d.owner_id WHERE d.id = $1",
                &[&deal],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(
        (status.as_str(), owner_of_deal),
        ("crm_only", owner),
        "the deal keeps its owner"
    );
    let chats: i64 = scalar(
        &app,
        "SELECT count(*) FROM conversations WHERE id = $1",
        &[&chat],
    )
    .await;
    assert_eq!(
        chats, 0,
        "private conversations in the organization are gone"
    );
    let members = client
        .get_auth("/api/auth/organizations/current/members", &admin)
        .await
        .json();
    let rep_row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "rep@acme.com")
        .unwrap()
        .clone();
    assert_eq!(rep_row["status"], "crm_only");
    assert_eq!(
        login(&client, "rep@acme.com", PASSWORD).await,
        200,
        "the account signs in"
    );

    // A member whose account did not come from the CRM keeps their own row.
    let (plain, plain_id) = invited_member(&app, &admin, "cy@acme.com", "member").await;
    let left = leave(plain.clone()).await;
    assert_eq!(left.status, 200);
    assert_eq!(left.json()["session"], Value::Null);
    let now = me(&client, &plain).await.json();
    assert_eq!(
        now["organization"],
        Value::Null,
        "same session, no organization"
    );
    assert_eq!(now["user"]["id"], json!(plain_id));
    let _ = admin_id;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_an_account_removes_the_person_and_keeps_the_organizations_data() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let (admin, admin_id, org) = admin_with_org(&app, "ana@acme.com").await;
    let delete = |token: String| {
        let client = &client;
        async move {
            client
                .call("DELETE", "/api/auth/me", Some(&token), None)
                .await
        }
    };
    assert_eq!(delete(admin.clone()).await.status, 409, "the only member");

    let (owner, deal) = crm_owner_with_deal(&app, org, "rep@acme.com").await;
    let (rep, rep_id) = invited_member(&app, &admin, "rep@acme.com", "member").await;
    assert_eq!(rep_id, owner);
    let chat = conversation_for(&app, org, rep_id).await;
    let report: Uuid = scalar(
        &app,
        "INSERT INTO artifacts (organization_id, user_id, title, type, queries)
         VALUES ($1, $2, 'Pipeline', 'report', '[]') RETURNING id",
        &[&org, &rep_id],
    )
    .await;
    assert_eq!(delete(admin.clone()).await.status, 409, "the last admin");

    let deleted = delete(rep.clone()).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text());
    assert_eq!(me(&client, &rep).await.status, 401);
    assert_eq!(login(&client, "rep@acme.com", PASSWORD).await, 401);
    let owner_status: String = scalar(
        &app,
        "SELECT u.status FROM deals d JOIN users u ON u.id = d.owner_id WHERE d.id = $1",
        &[&deal],
    )
    .await;
    assert_eq!(owner_status, "crm_only", "the deal keeps its CRM owner");
    let chats: i64 = scalar(
        &app,
        "SELECT count(*) FROM conversations WHERE id = $1",
        &[&chat],
    )
    .await;
    assert_eq!(chats, 0);
    let reports: i64 = scalar(
        &app,
        "SELECT count(*) FROM artifacts WHERE id = $1",
        &[&report],
    )
    .await;
    assert_eq!(reports, 1, "saved reports stay with the organization");
    let login_rows: i64 = scalar(
        &app,
        "SELECT count(*) FROM users WHERE email = 'rep@acme.com' AND (password_hash IS NOT NULL OR status <> 'crm_only')",
        &[],
    )
    .await;
    assert_eq!(login_rows, 0, "no sign-in remains for the address");

    // A plain account is scrubbed: nothing identifies the person, and the address is free.
    let (cy, cy_id) = invited_member(&app, &admin, "cy@acme.com", "member").await;
    assert_eq!(delete(cy.clone()).await.status, 204);
    let (email, name, deleted_at): (
        Option<String>,
        Option<String>,
        Option<chrono::DateTime<chrono::Utc>>,
    ) = {
        let db = app.db.client().await;
        let row = db
            .query_one(
                "SELECT email, name, deleted_at FROM users WHERE id = $1",
                &[&cy_id],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1), row.get(2))
    };
    assert_eq!((email, name), (None, None));
    assert!(deleted_at.is_some());
    let inv = invite(&client, &admin, "cy@acme.com").await;
    assert_eq!(
        register(&client, "cy@acme.com", inv["token"].as_str())
            .await
            .status,
        201,
        "the address can sign up again"
    );
    let _ = admin_id;
}
