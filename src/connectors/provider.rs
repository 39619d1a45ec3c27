//! The providers Revtops connects, with their three spellings: the `integrations.provider`
//! string, the URL/API name (also accepting `google-calendar`), and the Nango integration id
//! (configurable per provider).

use crate::config::IntegrationsConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    Hubspot,
    Salesforce,
    Slack,
    GoogleCalendar,
}

/// Who a connection belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One connection for the whole organization (connected by an admin).
    Organization,
    /// One connection per member (each connects their own account).
    User,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::User => "user",
        }
    }
}

impl Provider {
    pub const ALL: [Provider; 4] = [
        Self::Hubspot,
        Self::Salesforce,
        Self::Slack,
        Self::GoogleCalendar,
    ];

    /// The `integrations.provider` value (and the API name).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hubspot => "hubspot",
            Self::Salesforce => "salesforce",
            Self::Slack => "slack",
            Self::GoogleCalendar => "google_calendar",
        }
    }

    /// Parses the database/API name; `google-calendar` (Nango's spelling) is accepted too.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "hubspot" => Some(Self::Hubspot),
            "salesforce" => Some(Self::Salesforce),
            "slack" => Some(Self::Slack),
            "google_calendar" | "google-calendar" => Some(Self::GoogleCalendar),
            _ => None,
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Self::Hubspot => "HubSpot",
            Self::Salesforce => "Salesforce",
            Self::Slack => "Slack",
            Self::GoogleCalendar => "Google Calendar",
        }
    }

    /// Whether this build has a connector that syncs it.
    pub fn syncable(self) -> bool {
        matches!(
            self,
            Self::Hubspot | Self::Salesforce | Self::Slack | Self::GoogleCalendar
        )
    }

    pub fn scope(self) -> Scope {
        match self {
            Self::GoogleCalendar => Scope::User,
            _ => Scope::Organization,
        }
    }

    /// The Nango integration id (provider config key) configured for this provider.
    pub fn integration_id(self, config: &IntegrationsConfig) -> &str {
        match self {
            Self::Hubspot => &config.hubspot_integration_id,
            Self::Salesforce => &config.salesforce_integration_id,
            Self::Slack => &config.slack_integration_id,
            Self::GoogleCalendar => &config.google_calendar_integration_id,
        }
    }

    /// The provider whose configured Nango integration id is `id`.
    pub fn from_integration_id(config: &IntegrationsConfig, id: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.integration_id(config) == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Provider::ALL {
            assert_eq!(Provider::parse(p.as_str()), Some(p));
        }
        assert_eq!(
            Provider::parse("google-calendar"),
            Some(Provider::GoogleCalendar)
        );
        assert_eq!(Provider::parse("HubSpot"), None);
        assert_eq!(Provider::parse("gmail"), None);
    }
}
