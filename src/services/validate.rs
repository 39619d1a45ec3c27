//! Normalisation and validation of user-supplied fields shared by several services.

use super::{ServiceError, ServiceResult};

/// Free mail providers: their domains never identify a company, so they cannot be claimed.
const PUBLIC_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "ymail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "yandex.com",
    "yandex.ru",
    "mail.ru",
    "zoho.com",
    "hey.com",
    "fastmail.com",
    "qq.com",
    "163.com",
    "126.com",
    "tutanota.com",
];

pub fn is_public_mail_domain(domain: &str) -> bool {
    PUBLIC_MAIL_DOMAINS.contains(&domain)
}

/// A lower-cased domain name of plausible shape ("acme.com").
pub fn domain(raw: &str) -> ServiceResult<String> {
    let d = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if d.len() > 253 || !d.contains('.') || !d.split('.').all(label_ok) {
        return Err(ServiceError::Invalid(format!(
            "`{}` is not a domain name",
            raw.chars().take(100).collect::<String>()
        )));
    }
    Ok(d)
}

/// A lower-cased email address of plausible shape.
pub fn email(raw: &str) -> ServiceResult<String> {
    // Lengths are counted in characters before lower-casing (which may change them), as the
    // API schema declares them.
    let e = raw.trim();
    let invalid = || ServiceError::Invalid("email address is not valid".into());
    let (local, dom) = e.rsplit_once('@').ok_or_else(invalid)?;
    let local_chars = local.chars().count();
    if e.chars().count() > 254
        || local_chars == 0
        || local_chars > 64
        || local.contains(char::is_whitespace)
        || local.contains(char::is_control)
        || local.contains('@')
    {
        return Err(invalid());
    }
    domain(dom).map_err(|_| invalid())?;
    Ok(e.to_lowercase())
}

/// A trimmed, non-empty display text of at most `max` characters.
pub fn text(field: &str, raw: &str, max: usize) -> ServiceResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(ServiceError::Invalid(format!("{field} must not be empty")));
    }
    if t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(ServiceError::Invalid(format!(
            "{field} must be at most {max} printable characters"
        )));
    }
    Ok(t.to_owned())
}

pub fn http_url(field: &str, raw: &str) -> ServiceResult<String> {
    let url = url::Url::parse(raw.trim())
        .map_err(|_| ServiceError::Invalid(format!("{field} must be a URL")))?;
    if !matches!(url.scheme(), "http" | "https") || raw.len() > 2048 {
        return Err(ServiceError::Invalid(format!(
            "{field} must be an http(s) URL of at most 2048 characters"
        )));
    }
    Ok(url.to_string())
}

/// How an operator names an organization on the command line: its id, or its email domain
/// (`acme.com`, `@acme.com`, any case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgRef {
    Id(uuid::Uuid),
    Domain(String),
}

pub fn org_ref(raw: &str) -> OrgRef {
    let raw = raw.trim();
    match uuid::Uuid::parse_str(raw) {
        Ok(id) => OrgRef::Id(id),
        Err(_) => OrgRef::Domain(raw.trim_start_matches('@').to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_domains() {
        assert_eq!(email(" Ana@Acme.COM ").unwrap(), "ana@acme.com");
        for bad in [
            "",
            "ana",
            "@acme.com",
            "ana@",
            "ana@acme",
            "a b@acme.com",
            "ana@-acme.com",
            "ana@acme..com",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert_eq!(domain("Acme.com.").unwrap(), "acme.com");
        assert!(is_public_mail_domain("gmail.com"));
        assert!(!is_public_mail_domain("acme.com"));
        assert!(text("name", "  ", 10).is_err());
        assert!(http_url("logo_url", "javascript:alert(1)").is_err());
    }

    #[test]
    fn organizations_are_named_by_id_or_domain() {
        let id = uuid::Uuid::new_v4();
        assert_eq!(org_ref(&format!(" {id} ")), OrgRef::Id(id));
        assert_eq!(org_ref("@Acme.COM"), OrgRef::Domain("acme.com".into()));
    }
}
