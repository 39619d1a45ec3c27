//! The chat tests' harness: the app with a fake model, a signed-in admin with two seeded deals,
//! and sockets already past `ready`.

use serde_json::Value;

use super::TestApp;
use super::fake_llm::FakeLlm;
use super::ws::{Auth, Socket, of_type};

pub struct Chat {
    pub app: TestApp,
    pub fake: FakeLlm,
    pub token: String,
    pub user_id: String,
}

pub async fn chat_with(extra: &[(&str, &str)]) -> Chat {
    let fake = FakeLlm::start().await;
    let mut vars = vec![
        ("ANTHROPIC_API_KEY", "test-key"),
        ("ANTHROPIC_BASE_URL", fake.url.as_str()),
    ];
    vars.extend_from_slice(extra);
    let app = TestApp::spawn_with(&vars).await;
    let (token, user_id) = user(&app, "ana@acme.com").await;
    let org = app.client().get_auth("/api/auth/me", &token).await.json()["organization"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.db
        .client()
        .await
        .batch_execute(&format!(
            "INSERT INTO deals (organization_id, source_system, source_id, name, amount, stage) VALUES \
             ('{org}', 'seed', '1', 'Acme renewal', 50000, 'Negotiation'), ('{org}', 'seed', '2', 'Globex expansion', 12000, 'Proposal')"
        ))
        .await
        .unwrap();
    Chat {
        app,
        fake,
        token,
        user_id,
    }
}

pub async fn chat() -> Chat {
    chat_with(&[]).await
}

/// A local user with an organization: (token, user id).
pub async fn user(app: &TestApp, email: &str) -> (String, String) {
    let (token, user, _) = super::accounts::admin_with_org(app, email).await;
    (token, user.to_string())
}

impl Chat {
    pub async fn socket(&self) -> Socket {
        let mut s = Socket::connect(self.app.addr, "/ws/chat", Auth::Header(&self.token))
            .await
            .unwrap();
        let ready = s.next().await.unwrap();
        assert_eq!(ready["type"], "ready");
        s
    }
}

pub fn text_of(frames: &[Value]) -> String {
    of_type(frames, "text_delta")
        .iter()
        .map(|f| f["text"].as_str().unwrap())
        .collect()
}
