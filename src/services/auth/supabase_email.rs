//! Whether a Supabase user's email is confirmed, as Supabase Auth itself says: `GET
//! /auth/v1/user` with the caller's own token returns `email_confirmed_at`, which the user cannot
//! change (unlike `user_metadata`, which any user may rewrite with `updateUser`). Answers are
//! cached briefly per user; without the project's anon key (the API gateway requires it) only the
//! sign-in provider recorded in the token's `app_metadata` (server-side) can vouch for an email.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

const TTL: Duration = Duration::from_secs(300);
/// Sign-in providers that only hand out verified emails (read from `app_metadata`, not
/// `user_metadata`).
pub const VERIFIED_EMAIL_PROVIDERS: &[&str] = &[
    "google",
    "azure",
    "github",
    "gitlab",
    "bitbucket",
    "linkedin_oidc",
];

#[derive(Deserialize)]
struct SupabaseUser {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    email_confirmed_at: Option<String>,
}

pub struct ConfirmedEmails {
    user_url: String,
    anon_key: Option<String>,
    agent: ureq::Agent,
    /// Subject → (when asked, the confirmed email if any).
    cache: Mutex<HashMap<String, (Instant, Option<String>)>>,
}

impl ConfirmedEmails {
    pub fn new(supabase_url: &url::Url, anon_key: Option<&str>) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(3)))
            .timeout_global(Some(Duration::from_secs(5)))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            user_url: format!(
                "{}/auth/v1/user",
                supabase_url.as_str().trim_end_matches('/')
            ),
            anon_key: anon_key.map(str::to_owned),
            agent,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `email` is the confirmed email of the user `subject` whose access token is
    /// `token`. `provider` is the token's `app_metadata.provider`, the fallback without an anon
    /// key. Any failure to ask counts as "not confirmed" (for now; it is not cached).
    pub async fn is_confirmed(
        &self,
        subject: &str,
        token: &str,
        email: &str,
        provider: &str,
    ) -> bool {
        let Some(anon_key) = self.anon_key.clone() else {
            return VERIFIED_EMAIL_PROVIDERS.contains(&provider);
        };
        if let Some((at, confirmed)) = self.lock().get(subject)
            && at.elapsed() < TTL
        {
            return confirmed.as_deref() == Some(email);
        }
        let (agent, url, bearer) = (
            self.agent.clone(),
            self.user_url.clone(),
            format!("Bearer {token}"),
        );
        let fetched = tokio::task::spawn_blocking(move || {
            let mut resp = agent
                .get(&url)
                .header("apikey", &anon_key)
                .header("authorization", &bearer)
                .call()
                .map_err(|e| e.to_string())?;
            if !resp.status().is_success() {
                return Err(format!("HTTP {}", resp.status().as_u16()));
            }
            resp.body_mut()
                .read_json::<SupabaseUser>()
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r);
        match fetched {
            Ok(user) => {
                let confirmed = user
                    .email_confirmed_at
                    .filter(|at| !at.is_empty())
                    .and(user.email)
                    .map(|e| e.to_lowercase());
                let mut cache = self.lock();
                cache.retain(|_, (at, _)| at.elapsed() < TTL);
                cache.insert(subject.to_owned(), (Instant::now(), confirmed.clone()));
                confirmed.as_deref() == Some(email)
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot ask Supabase whether an email is confirmed");
                false
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Option<String>)>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}
