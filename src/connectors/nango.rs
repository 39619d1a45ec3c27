//! Nango API client: connect sessions, connections and their credentials.
