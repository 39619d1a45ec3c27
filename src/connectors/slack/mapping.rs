//! Pure mapping of Slack messages to activities: mentions resolved through the user directory,
//! emails and company domains collected for the cross-source links.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::connectors::rows::{ActivityRow, ActivityType};

/// A workspace member as the directory keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub email: Option<String>,
    pub name: String,
    pub is_bot: bool,
}

pub type Directory = HashMap<String, Person>;

/// Subtypes that are channel bookkeeping, not conversation.
const SYSTEM_SUBTYPES: &[&str] = &[
    "channel_join",
    "channel_leave",
    "channel_topic",
    "channel_purpose",
    "channel_name",
    "channel_archive",
    "channel_unarchive",
    "channel_convert_to_private",
    "group_join",
    "group_leave",
    "pinned_item",
    "unpinned_item",
    "bot_add",
    "bot_remove",
];

/// `1717236000.000200` as (seconds, microseconds).
pub fn parse_ts(ts: &str) -> Option<(i64, u32)> {
    let (secs, micros) = ts.split_once('.').unwrap_or((ts, "0"));
    let secs: i64 = secs.parse().ok()?;
    let micros: u32 = micros.parse().ok()?;
    (micros < 1_000_000).then_some((secs, micros))
}

pub fn ts_time(ts: &str) -> Option<DateTime<Utc>> {
    let (secs, micros) = parse_ts(ts)?;
    DateTime::from_timestamp(secs, micros * 1000)
}

pub fn is_system(raw: &Value) -> bool {
    raw["subtype"]
        .as_str()
        .is_some_and(|s| SYSTEM_SUBTYPES.contains(&s))
}

/// The ids of `<@U123>` / `<@U123|name>` mentions, in order, without repeats.
pub fn mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in text.split("<@").skip(1) {
        let Some(end) = part.find('>') else { continue };
        let id = part[..end].split('|').next().unwrap_or("");
        if !id.is_empty() && !out.iter().any(|o| o == id) {
            out.push(id.to_owned());
        }
    }
    out
}

/// The text with `<@U123>` replaced by `@Name`.
fn resolve_mentions(text: &str, directory: &Directory) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<@") {
        out.push_str(&rest[..start]);
        let tail = &rest[start + 2..];
        match tail.find('>') {
            Some(end) => {
                let inner = &tail[..end];
                let (id, label) = inner.split_once('|').unwrap_or((inner, ""));
                let name = directory
                    .get(id)
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| {
                        if label.is_empty() {
                            id.to_owned()
                        } else {
                            label.to_owned()
                        }
                    });
                out.push('@');
                out.push_str(&name);
                rest = &tail[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn normalize_domain(host: &str) -> Option<String> {
    let host = host
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    let (name, tld) = host.rsplit_once('.')?;
    let valid = !name.is_empty()
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    valid.then_some(host)
}

/// Company domains mentioned in the text: links (`<https://www.acme.com/x|…>`) and bare
/// `acme.com` words; mentions and emails are left to the directory.
pub fn text_domains(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |d: Option<String>| {
        if let Some(d) = d
            && !out.contains(&d)
        {
            out.push(d);
        }
    };
    for word in text.split(|c: char| c.is_whitespace() || c == '<' || c == '>') {
        let target = word.split('|').next().unwrap_or("");
        if let Some(rest) = target
            .strip_prefix("https://")
            .or_else(|| target.strip_prefix("http://"))
        {
            push(normalize_domain(
                rest.split(['/', '?', '#', ':']).next().unwrap_or(""),
            ));
        } else if !target.contains('@') && !target.contains("://") && target.contains('.') {
            push(normalize_domain(target));
        }
    }
    out
}

fn email_domain(email: &str) -> Option<String> {
    email
        .rsplit_once('@')
        .and_then(|(_, d)| normalize_domain(d))
}

/// One message (or thread reply) of `channel` as an activity; Err: why it is skipped.
pub fn message(
    raw: &Value,
    channel_id: &str,
    channel_name: &str,
    directory: &Directory,
) -> Result<ActivityRow, String> {
    let ts = raw["ts"].as_str().ok_or("message without ts")?;
    let date = ts_time(ts).ok_or_else(|| format!("unreadable ts {ts:?}"))?;
    let text = raw["text"].as_str().unwrap_or("");
    let user = raw["user"].as_str();
    let author = user.and_then(|u| directory.get(u));
    let is_bot = raw["bot_id"].is_string()
        || raw["subtype"] == json!("bot_message")
        || author.is_some_and(|p| p.is_bot);

    let mut participants = Vec::new();
    let mut emails: Vec<String> = Vec::new();
    let add = |id: &str, participants: &mut Vec<Value>, emails: &mut Vec<String>| {
        let person = directory.get(id);
        let email = person.and_then(|p| p.email.clone());
        let name = person
            .map(|p| p.name.clone())
            .unwrap_or_else(|| id.to_owned());
        if let Some(e) = &email
            && !emails.contains(e)
        {
            emails.push(e.clone());
        }
        participants.push(json!({ "email": email, "name": name }));
    };
    if let Some(u) = user {
        add(u, &mut participants, &mut emails);
    } else if let Some(name) = raw["username"].as_str() {
        participants.push(json!({ "email": null, "name": name }));
    }
    for id in mentions(text) {
        if Some(id.as_str()) != user {
            add(&id, &mut participants, &mut emails);
        }
    }
    let mut domains: Vec<String> = Vec::new();
    for d in emails
        .iter()
        .filter_map(|e| email_domain(e))
        .chain(text_domains(text))
    {
        if !domains.contains(&d) {
            domains.push(d);
        }
    }

    let mut custom = Map::new();
    custom.insert("channel_id".into(), json!(channel_id));
    custom.insert("ts".into(), json!(ts));
    if let Some(u) = user {
        custom.insert("user".into(), json!(u));
    }
    if let Some(parent) = raw["thread_ts"].as_str()
        && parent != ts
    {
        custom.insert("thread_ts".into(), json!(parent));
    }
    if let Some(n) = raw["reply_count"].as_u64() {
        custom.insert("reply_count".into(), json!(n));
    }
    if let Some(s) = raw["subtype"].as_str() {
        custom.insert("subtype".into(), json!(s));
    }
    custom.insert("is_bot".into(), json!(is_bot));
    let edited = raw["edited"]["ts"].as_str().and_then(ts_time);

    Ok(ActivityRow {
        source_id: format!("{channel_id}/{ts}"),
        kind: ActivityType::Message,
        subject: Some(format!("#{channel_name}")),
        description: Some(resolve_mentions(text, directory)),
        activity_date: Some(date),
        duration_seconds: None,
        participants: Value::Array(participants),
        deal_source_id: None,
        account_source_id: None,
        contact_source_id: None,
        owner_source_id: None,
        owner_email: author.and_then(|p| p.email.clone()),
        link_emails: emails,
        link_domains: domains,
        is_private: false,
        source_created_at: Some(date),
        source_updated_at: Some(edited.unwrap_or(date)),
        deleted: false,
        custom_fields: custom,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_and_domains_are_found() {
        let text = "ping <@U1> and <@U2|bob> about <https://www.acme.com/pricing|pricing> and globex.io, mail x@initech.com.";
        assert_eq!(mentions(text), ["U1", "U2"]);
        assert_eq!(text_domains(text), ["acme.com", "globex.io"]);
        assert_eq!(parse_ts("1717236000.000200"), Some((1_717_236_000, 200)));
        assert_eq!(parse_ts("x"), None);
    }
}
