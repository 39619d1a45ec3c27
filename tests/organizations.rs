//! Organizations and tenancy: domain claims need a verified, non-public email; membership and
//! roles are admin-only; another organization's members are indistinguishable from missing ones.

mod common;

use common::TestApp;
use common::supabase::{ES_KID, FakeSupabase};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

struct World {
    fake: FakeSupabase,
    app: TestApp,
}

impl World {
    async fn new() -> Self {
        let fake = FakeSupabase::start().await;
        let app = TestApp::spawn_with(&[
            ("AUTH_MODE", "supabase"),
            ("SUPABASE_URL", fake.url.as_str()),
            ("SUPABASE_ANON_KEY", common::supabase::ANON_KEY),
        ])
        .await;
        Self { fake, app }
    }

    /// Signs `email` in (verified unless told otherwise) and returns (token, user id).
    async fn user(&self, email: &str, verified: bool) -> (String, String) {
        let mut claims = self.fake.claims(&format!("sub-{email}"), email);
        if !verified {
            claims["app_metadata"]["provider"] = json!("email");
            self.fake.unconfirm(email);
        }
        let token = self.fake.sign(Algorithm::ES256, ES_KID, &claims);
        let reply = self
            .app
            .client()
            .call("POST", "/api/auth/users/sync", Some(&token), None)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let id = reply.json()["user"]["id"].as_str().unwrap().to_owned();
        (token, id)
    }

    async fn call(
        &self,
        method: &'static str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> common::http::Reply {
        self.app
            .client()
            .call(method, path, Some(token), body.as_ref())
            .await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domain_claims_need_a_verified_company_email() {
    let w = World::new().await;
    let (unverified, _) = w.user("eve@acme.com", false).await;
    let r = w
        .call(
            "POST",
            "/api/auth/organizations",
            &unverified,
            Some(json!({"name": "Acme", "email_domain": "acme.com"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.text().contains("verified"),
        "refused by the verification check itself: {}",
        r.text()
    );
    let (gmail, _) = w.user("someone@gmail.com", true).await;
    let r = w
        .call(
            "POST",
            "/api/auth/organizations",
            &gmail,
            Some(json!({"name": "Mine", "email_domain": "gmail.com"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("public mail domain"));
    let (ana, _) = w.user("ana@acme.com", true).await;
    let r = w
        .call(
            "POST",
            "/api/auth/organizations",
            &ana,
            Some(json!({"name": "Other", "email_domain": "other.com"})),
        )
        .await;
    assert_eq!(r.status, 403, "someone else's domain: {}", r.text());

    let r = w
        .call(
            "POST",
            "/api/auth/organizations",
            &ana,
            Some(json!({"name": "Acme", "email_domain": "ACME.com"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["email_domain"], "acme.com");
    let me = w.app.client().get_auth("/api/auth/me", &ana).await.json();
    assert_eq!(me["user"]["role"], "admin");
    let again = w
        .call(
            "POST",
            "/api/auth/organizations",
            &ana,
            Some(json!({"name": "Second"})),
        )
        .await;
    assert_eq!(again.status, 409, "one organization per user");
    // An unverified colleague can create an organization, just without claiming the domain.
    let r = w
        .call(
            "POST",
            "/api/auth/organizations",
            &unverified,
            Some(json!({"name": "Eve's team"})),
        )
        .await;
    assert_eq!(r.status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colleagues_find_and_join_by_their_own_domain_only() {
    let w = World::new().await;
    let (ana, _) = w.user("ana@acme.com", true).await;
    w.call(
        "POST",
        "/api/auth/organizations",
        &ana,
        Some(json!({"name": "Acme Inc", "email_domain": "acme.com"})),
    )
    .await;
    let (bob, bob_id) = w.user("bob@acme.com", true).await;
    let found = w
        .app
        .client()
        .get_auth("/api/auth/organizations/by-domain/acme.com", &bob)
        .await;
    assert_eq!(found.status, 200);
    assert_eq!(
        found.json(),
        json!({"domain": "acme.com", "exists": true, "name": "Acme Inc"}),
        "no ids"
    );
    let other = w
        .app
        .client()
        .get_auth("/api/auth/organizations/by-domain/globex.com", &bob)
        .await;
    assert_eq!(other.status, 403, "other domains cannot be probed");
    let (mallory, _) = w.user("mallory@globex.com", true).await;
    let probe = w
        .app
        .client()
        .get_auth("/api/auth/organizations/by-domain/acme.com", &mallory)
        .await;
    assert_eq!(probe.status, 403);
    let nothing = w
        .app
        .client()
        .get_auth("/api/auth/organizations/by-domain/globex.com", &mallory)
        .await;
    assert_eq!(nothing.json()["exists"], false);
    assert_eq!(
        w.call("POST", "/api/auth/organizations/join", &mallory, None)
            .await
            .status,
        404
    );

    let (unverified, _) = w.user("carl@acme.com", false).await;
    assert_eq!(
        w.call("POST", "/api/auth/organizations/join", &unverified, None)
            .await
            .status,
        403
    );

    let joined = w
        .call("POST", "/api/auth/organizations/join", &bob, None)
        .await;
    assert_eq!(joined.status, 200, "{}", joined.text());
    let members = w
        .app
        .client()
        .get_auth("/api/auth/organizations/current/members", &ana)
        .await
        .json();
    let ids: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&bob_id.as_str()));
    assert_eq!(members.as_array().unwrap().len(), 2);
    let bob_row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == bob_id.as_str())
        .unwrap();
    assert_eq!(bob_row["role"], "member");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_admin_rights_and_the_last_admin_rule() {
    let w = World::new().await;
    let (ana, ana_id) = w.user("ana@acme.com", true).await;
    w.call(
        "POST",
        "/api/auth/organizations",
        &ana,
        Some(json!({"name": "Acme", "email_domain": "acme.com"})),
    )
    .await;
    let (bob, bob_id) = w.user("bob@acme.com", true).await;
    w.call("POST", "/api/auth/organizations/join", &bob, None)
        .await;

    // Members cannot administer.
    assert_eq!(
        w.call(
            "PATCH",
            "/api/auth/organizations/current",
            &bob,
            Some(json!({"name": "Pwned"}))
        )
        .await
        .status,
        403
    );
    assert_eq!(
        w.call(
            "POST",
            "/api/auth/organizations/current/invitations",
            &bob,
            Some(json!({"email": "x@acme.com"}))
        )
        .await
        .status,
        403
    );
    let path = format!("/api/auth/organizations/current/members/{ana_id}");
    assert_eq!(
        w.call("PATCH", &path, &bob, Some(json!({"role": "member"})))
            .await
            .status,
        403
    );
    assert_eq!(w.call("DELETE", &path, &bob, None).await.status, 403);

    // The only admin cannot step down or leave.
    let r = w
        .call("PATCH", &path, &ana, Some(json!({"role": "member"})))
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(w.call("DELETE", &path, &ana, None).await.status, 409);

    let patch = w
        .call(
            "PATCH",
            "/api/auth/organizations/current",
            &ana,
            Some(json!({"name": "Acme Corp", "logo_url": "https://acme.com/logo.png"})),
        )
        .await;
    assert_eq!(patch.status, 200);
    assert_eq!(patch.json()["name"], "Acme Corp");
    let bad_logo = w
        .call(
            "PATCH",
            "/api/auth/organizations/current",
            &ana,
            Some(json!({"logo_url": "javascript:alert(1)"})),
        )
        .await;
    assert_eq!(
        bad_logo.status, 400,
        "the schema declares http(s) URLs only"
    );

    let bob_path = format!("/api/auth/organizations/current/members/{bob_id}");
    let promoted = w
        .call("PATCH", &bob_path, &ana, Some(json!({"role": "admin"})))
        .await;
    assert_eq!(promoted.status, 200);
    assert_eq!(promoted.json()["role"], "admin");
    assert_eq!(
        w.call("PATCH", &path, &ana, Some(json!({"role": "member"})))
            .await
            .status,
        200,
        "two admins: one may step down"
    );
    let own = w.call("DELETE", &bob_path, &bob, None).await;
    assert_eq!(own.status, 409, "nobody removes themselves: {}", own.text());
    assert!(
        own.text().contains("leave the organization"),
        "{}",
        own.text()
    );
    assert_eq!(w.call("DELETE", &path, &bob, None).await.status, 204);
    let me = w.app.client().get_auth("/api/auth/me", &ana).await.json();
    assert_eq!(
        me["organization"],
        Value::Null,
        "removed from the organization"
    );
    assert_eq!(
        w.app
            .client()
            .get_auth("/api/auth/organizations/current/members", &ana)
            .await
            .status,
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_organizations_members_look_exactly_like_missing_ones() {
    let w = World::new().await;
    let (ana, _) = w.user("ana@acme.com", true).await;
    w.call(
        "POST",
        "/api/auth/organizations",
        &ana,
        Some(json!({"name": "Acme", "email_domain": "acme.com"})),
    )
    .await;
    let (gus, gus_id) = w.user("gus@globex.com", true).await;
    w.call(
        "POST",
        "/api/auth/organizations",
        &gus,
        Some(json!({"name": "Globex", "email_domain": "globex.com"})),
    )
    .await;

    let theirs = format!("/api/auth/organizations/current/members/{gus_id}");
    let nobody = format!(
        "/api/auth/organizations/current/members/{}",
        uuid::Uuid::new_v4()
    );
    for (method, body) in [("PATCH", Some(json!({"role": "member"}))), ("DELETE", None)] {
        let a = w.call(method, &theirs, &ana, body.clone()).await;
        let b = w.call(method, &nobody, &ana, body).await;
        assert_eq!(a.status, 404, "{method}: {}", a.text());
        assert_eq!(
            (a.status, a.json()["error"].clone()),
            (b.status, b.json()["error"].clone()),
            "{method}"
        );
    }
    let members = w
        .app
        .client()
        .get_auth("/api/auth/organizations/current/members", &ana)
        .await
        .text();
    assert!(
        !members.contains(&gus_id) && !members.contains("globex"),
        "{members}"
    );
    let me = w.app.client().get_auth("/api/auth/me", &gus).await.json();
    assert_eq!(me["user"]["role"], "admin", "Globex untouched");
    assert_eq!(me["organization"]["name"], "Globex");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_are_bound_to_the_invited_email() {
    let w = World::new().await;
    let (ana, _) = w.user("ana@acme.com", true).await;
    w.call(
        "POST",
        "/api/auth/organizations",
        &ana,
        Some(json!({"name": "Acme"})),
    )
    .await;
    let invite = w
        .call(
            "POST",
            "/api/auth/organizations/current/invitations",
            &ana,
            Some(json!({"email": "Carol@Contractor.io", "role": "admin"})),
        )
        .await;
    assert_eq!(invite.status, 201, "{}", invite.text());
    let token = invite.json()["token"].as_str().unwrap().to_owned();

    let (dave, _) = w.user("dave@contractor.io", true).await;
    let stolen = w
        .call(
            "POST",
            "/api/auth/invitations/accept",
            &dave,
            Some(json!({"token": token})),
        )
        .await;
    assert_eq!(
        stolen.status,
        404,
        "someone else's invitation: {}",
        stolen.text()
    );
    let (carol, _) = w.user("carol@contractor.io", true).await;
    let ok = w
        .call(
            "POST",
            "/api/auth/invitations/accept",
            &carol,
            Some(json!({"token": token})),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json()["organization"]["name"], "Acme");
    let me = w.app.client().get_auth("/api/auth/me", &carol).await.json();
    assert_eq!(me["user"]["role"], "admin");
    let reuse = w
        .call(
            "POST",
            "/api/auth/invitations/accept",
            &dave,
            Some(json!({"token": token})),
        )
        .await;
    assert_eq!(reuse.status, 404, "single use");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_accounts_join_through_an_invitation_at_registration() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let reg = |email: &str, invite: Option<&str>| {
        let mut body = json!({"email": email, "password": "correct horse battery", "name": "N"});
        if let Some(t) = invite {
            body["invite_token"] = json!(t);
        }
        body
    };
    let ana = client
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(&reg("ana@acme.com", None)),
        )
        .await
        .json();
    let ana_token = ana["token"].as_str().unwrap();
    assert_eq!(
        client
            .call(
                "POST",
                "/api/auth/organizations",
                Some(ana_token),
                Some(&json!({"name": "Acme"}))
            )
            .await
            .status,
        201
    );
    // Local emails are unverified: no domain claims.
    let claim = client
        .call(
            "POST",
            "/api/auth/organizations",
            Some(ana_token),
            Some(&json!({"name": "X", "email_domain": "acme.com"})),
        )
        .await;
    assert_eq!(claim.status, 409, "already in an organization");
    let invite = client
        .call(
            "POST",
            "/api/auth/organizations/current/invitations",
            Some(ana_token),
            Some(&json!({"email": "bob@acme.com"})),
        )
        .await
        .json();
    let token = invite["token"].as_str().unwrap();
    let wrong = client
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(&reg("eve@acme.com", Some(token))),
        )
        .await;
    assert_eq!(wrong.status, 404, "the token is bound to bob's email");
    let bob = client
        .call(
            "POST",
            "/api/auth/register",
            None,
            Some(&reg("bob@acme.com", Some(token))),
        )
        .await;
    assert_eq!(bob.status, 201, "{}", bob.text());
    let acme =
        client.get_auth("/api/auth/me", ana_token).await.json()["organization"]["id"].clone();
    assert_eq!(bob.json()["user"]["organization_id"], acme);
    assert_eq!(bob.json()["user"]["role"], "member");
}
