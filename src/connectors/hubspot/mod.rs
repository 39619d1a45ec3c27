//! HubSpot CRM v3 connector.
