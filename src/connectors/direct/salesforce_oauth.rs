//! Salesforce's OAuth 2.0 client credentials flow for a connected app an admin entered:
//! `POST {instance_url}/services/oauth2/token` with `grant_type=client_credentials`. The token
//! is kept in memory for the run and fetched again when Salesforce refuses it.

use std::sync::Mutex;

use serde_json::Value;

use crate::connectors::retry;
use crate::connectors::{ConnectorError, Credentials};

pub struct SalesforceClientCredentials {
    instance_url: String,
    client_id: String,
    client_secret: String,
    agent: ureq::Agent,
    /// (access token, instance_url Salesforce answered with).
    current: Mutex<Option<(String, String)>>,
}

impl SalesforceClientCredentials {
    pub fn new(instance_url: String, client_id: String, client_secret: String) -> Self {
        Self {
            instance_url: instance_url.trim_end_matches('/').to_owned(),
            client_id,
            client_secret,
            agent: retry::agent(),
            current: Mutex::new(None),
        }
    }

    fn fetch(&self) -> Result<(String, String), ConnectorError> {
        let url = format!("{}/services/oauth2/token", self.instance_url);
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.as_str()),
        ];
        let mut response = self
            .agent
            .post(&url)
            .header("accept", "application/json")
            .send_form(form)
            .map_err(|e| {
                ConnectorError::Api(format!(
                    "cannot reach Salesforce at {}: {e}",
                    self.instance_url
                ))
            })?;
        let status = response.status().as_u16();
        let body: Value = response.body_mut().read_json().unwrap_or(Value::Null);
        if status == 200
            && let Some(token) = body["access_token"].as_str()
        {
            let instance = body["instance_url"]
                .as_str()
                .unwrap_or(&self.instance_url)
                .trim_end_matches('/')
                .to_owned();
            return Ok((token.to_owned(), instance));
        }
        let code = body["error"].as_str().unwrap_or("unknown_error");
        let description: String = body["error_description"]
            .as_str()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        let message = format!(
            "Salesforce refused the connected app's client credentials (HTTP {status}, {code}: \
             {description}); check the consumer key and secret, and that the app has the client \
             credentials flow enabled with a run-as user"
        );
        if status >= 500 {
            Err(ConnectorError::Api(message))
        } else {
            Err(ConnectorError::Auth(message))
        }
    }

    fn current(&self, force_refresh: bool) -> Result<(String, String), ConnectorError> {
        let mut slot = self
            .current
            .lock()
            .map_err(|_| ConnectorError::Api("credential cache poisoned".into()))?;
        if force_refresh || slot.is_none() {
            *slot = Some(self.fetch()?);
        }
        slot.clone()
            .ok_or_else(|| ConnectorError::Api("no Salesforce token".into()))
    }
}

impl Credentials for SalesforceClientCredentials {
    fn access_token(&self, force_refresh: bool) -> Result<String, ConnectorError> {
        Ok(self.current(force_refresh)?.0)
    }

    fn instance_url(&self) -> Result<Option<String>, ConnectorError> {
        Ok(Some(self.current(false)?.1))
    }
}
