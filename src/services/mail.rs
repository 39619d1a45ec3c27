//! Account emails (invitations, password resets, email verification) through the configured SMTP
//! server, and the links they carry. Without SMTP nothing is sent: the caller shows the link to
//! the admin instead, so every flow still works on a machine with no mail server.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::AccountsConfig;

pub struct Mailer {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    public_url: Option<url::Url>,
}

#[derive(Debug, thiserror::Error)]
#[error("the email could not be sent: {0}")]
pub struct MailError(String);

impl Mailer {
    pub fn new(config: &AccountsConfig) -> Result<Self, MailError> {
        let transport = config
            .smtp_url
            .as_ref()
            .map(|url| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose().as_str())
                    // A stalled mail server must not hold an invitation request for a minute.
                    .map(|b| b.timeout(Some(std::time::Duration::from_secs(10))).build())
                    .map_err(|e| MailError(format!("SMTP_URL: {e}")))
            })
            .transpose()?;
        let from = config
            .mail_from
            .parse()
            .map_err(|e| MailError(format!("MAIL_FROM: {e}")))?;
        Ok(Self {
            transport,
            from,
            public_url: config.public_url.clone(),
        })
    }

    pub fn enabled(&self) -> bool {
        self.transport.is_some()
    }

    /// The link to `path` (`/invite/…`): absolute with PUBLIC_URL, else the path itself, which
    /// the web app completes with the address it is served from.
    pub fn link(&self, path: &str) -> String {
        match &self.public_url {
            Some(base) => format!("{}{path}", base.as_str().trim_end_matches('/')),
            None => path.to_owned(),
        }
    }

    /// Sends a plain-text email; `Ok(false)` when no mail server is configured.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<bool, MailError> {
        let Some(transport) = &self.transport else {
            return Ok(false);
        };
        let to: Mailbox = to
            .parse()
            .map_err(|e| MailError(format!("bad recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError(e.to_string()))?;
        transport
            .send(message)
            .await
            .map(|_| true)
            .map_err(|e| MailError(e.to_string()))
    }

    /// Sends when a mail server is configured; a failure is logged, and the caller shows the
    /// link instead. Whether the email went out.
    pub async fn send_or_log(&self, to: &str, subject: &str, body: String) -> bool {
        match self.send(to, subject, body).await {
            Ok(sent) => sent,
            Err(e) => {
                tracing::warn!(error = %e, "account email not sent; the link is shown instead");
                false
            }
        }
    }
}
