//! The organization a demo load goes into: one named by `--org` (id or email domain), or the
//! "Demo Company" with its admin, created once and found again on reruns.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use crate::services::validate::{OrgRef, org_ref};

use super::{DEMO_ADMIN_EMAIL, DEMO_ORG_NAME, DemoAdmin, DemoError};

/// Resolves `--org` (an organization id or email domain) or, without it, finds or creates the
/// demo organization and (re)sets its admin's password, returned to be printed.
pub async fn ensure_org(
    client: &Client,
    org: Option<&str>,
) -> Result<(Uuid, Option<DemoAdmin>), DemoError> {
    match org {
        Some(key) => Ok((find_org(client, key).await?, None)),
        None => {
            let (org_id, admin) = demo_org(client).await?;
            Ok((org_id, Some(admin)))
        }
    }
}

async fn find_org(client: &Client, key: &str) -> Result<Uuid, DemoError> {
    let row = match org_ref(key) {
        OrgRef::Id(id) => {
            client
                .query_opt("SELECT id FROM organizations WHERE id = $1", &[&id])
                .await?
        }
        OrgRef::Domain(domain) => {
            client
                .query_opt(
                    "SELECT id FROM organizations WHERE email_domain = $1",
                    &[&domain],
                )
                .await?
        }
    };
    row.map(|r| r.get(0))
        .ok_or_else(|| DemoError::OrgNotFound(key.trim().to_owned()))
}

async fn demo_org(client: &Client) -> Result<(Uuid, DemoAdmin), DemoError> {
    let password = random_password();
    // Hashed before the transaction: it is slow on purpose and needs no lock.
    let hash = crate::services::auth::passwords::hash(password.clone())
        .await
        .map_err(|e| DemoError::Password(e.to_string()))?;
    client.batch_execute("BEGIN").await?;
    match demo_org_in_transaction(client, &hash).await {
        Ok(org_id) => {
            client.batch_execute("COMMIT").await?;
            let admin = DemoAdmin {
                email: DEMO_ADMIN_EMAIL.to_owned(),
                password,
            };
            Ok((org_id, admin))
        }
        Err(e) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(e)
        }
    }
}

async fn demo_org_in_transaction(client: &Client, hash: &str) -> Result<Uuid, DemoError> {
    // Two first runs at once would otherwise both create an organization.
    client
        .execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('revtops-demo-admin', 0))",
            &[],
        )
        .await?;
    let existing = client
        .query_opt(
            "SELECT id, organization_id, custom_fields @> '{\"demo\": true}' FROM users
             WHERE email = $1 AND status <> 'crm_only' AND deleted_at IS NULL",
            &[&DEMO_ADMIN_EMAIL],
        )
        .await?;
    let (user_id, org_id) = match existing {
        Some(row) if !row.get::<_, bool>(2) => return Err(DemoError::AdminEmailTaken),
        Some(row) => (Some(row.get::<_, Uuid>(0)), row.get::<_, Option<Uuid>>(1)),
        None => (None, None),
    };
    let org_id = match org_id {
        Some(id) => id,
        None => client
            .query_one(
                "INSERT INTO organizations (name) VALUES ($1) RETURNING id",
                &[&DEMO_ORG_NAME],
            )
            .await?
            .get(0),
    };
    match user_id {
        Some(id) => {
            client
                .execute(
                    "UPDATE users SET organization_id = $2, password_hash = $3, role = 'admin',
                            status = 'active'
                     WHERE id = $1",
                    &[&id, &org_id, &hash],
                )
                .await?;
        }
        None => {
            let inserted = client
                .execute(
                    "INSERT INTO users (organization_id, email, email_verified, name, role, status,
                                        password_hash, custom_fields)
                     VALUES ($1, $2, true, 'Demo Admin', 'admin', 'active', $3, '{\"demo\": true}')",
                    &[&org_id, &DEMO_ADMIN_EMAIL, &hash],
                )
                .await;
            match inserted {
                // Someone signed up with the email since the look-up (the lock is only ours).
                Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                    return Err(DemoError::AdminEmailTaken);
                }
                other => {
                    other?;
                }
            }
        }
    }
    Ok(org_id)
}

/// 20 characters from an alphabet without look-alikes (0/O, 1/l/I): about 114 bits.
fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    // Bytes at or above the largest multiple of the alphabet's length are skipped, so that
    // every character is equally likely.
    let limit = 256 - 256 % ALPHABET.len();
    let mut password = String::with_capacity(20);
    let mut buf = [0u8; 64];
    while password.len() < 20 {
        OsRng.fill_bytes(&mut buf);
        for &b in &buf {
            if (b as usize) < limit && password.len() < 20 {
                password.push(ALPHABET[b as usize % ALPHABET.len()] as char);
            }
        }
    }
    password
}

#[cfg(test)]
mod tests {
    use super::random_password;

    #[test]
    fn passwords_are_long_and_fresh() {
        let a = random_password();
        let b = random_password();
        assert_eq!(a.len(), 20);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
