//! Who may create an account, where the links in account emails point, and the mail server that
//! sends them.

use url::Url;

use super::vars::{Vars, parse_http_url};
use super::{ConfigError, Secret};

/// Local mode: who may create an account without an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignupPolicy {
    /// The first person (who becomes an administrator), then only people with an invitation.
    FirstUserOnly,
    Open,
    InvitationOnly,
}

#[derive(Debug, Clone)]
pub struct AccountsConfig {
    pub signup: SignupPolicy,
    /// Where the web app is reached, for absolute links in emails; without it, links are paths
    /// the app completes with its own origin.
    pub public_url: Option<Url>,
    /// `smtp://host:587?tls=required` (STARTTLS), `smtps://host:465` (TLS), or plain `smtp://`
    /// for a relay on a trusted network; credentials as `user:pass@`. None: no email, links are
    /// shown to the admin instead.
    pub smtp_url: Option<Secret<Url>>,
    /// `Revtops <noreply@example.com>`.
    pub mail_from: String,
}

pub(super) fn accounts<F: Fn(&str) -> Option<String>>(
    vars: &Vars<F>,
) -> Result<AccountsConfig, ConfigError> {
    let signup = vars.parse("ALLOW_SIGNUP", SignupPolicy::FirstUserOnly, |raw| match raw
        .to_ascii_lowercase()
        .as_str()
    {
        "first" | "auto" => Ok(SignupPolicy::FirstUserOnly),
        "1" | "true" | "yes" | "on" => Ok(SignupPolicy::Open),
        "0" | "false" | "no" | "off" => Ok(SignupPolicy::InvitationOnly),
        _ => Err(format!("expected `first`, `true` or `false`, got `{raw}`")),
    })?;
    let public_url = vars.optional("PUBLIC_URL", parse_http_url)?;
    let smtp_url = vars.optional("SMTP_URL", |raw| {
        let url = Url::parse(raw).map_err(|e| format!("not a URL ({e})"))?;
        match url.scheme() {
            "smtp" | "smtps" => Ok(Secret::new(url)),
            other => Err(format!(
                "expected smtp:// or smtps://, got scheme `{other}`"
            )),
        }
    })?;
    if smtp_url.is_some() && public_url.is_none() {
        return Err(ConfigError {
            var: "PUBLIC_URL",
            reason: "required with SMTP_URL: emailed links need the app's address".into(),
        });
    }
    let mail_from = vars.parse(
        "MAIL_FROM",
        "Revtops <noreply@revtops.local>".to_owned(),
        |raw| {
            raw.parse::<lettre::message::Mailbox>()
                .map(|_| raw.to_owned())
                .map_err(|e| format!("not a mailbox ({e})"))
        },
    )?;
    Ok(AccountsConfig {
        signup,
        public_url,
        smtp_url,
        mail_from,
    })
}
