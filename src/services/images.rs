//! Images people upload: organization logos and avatars. The server keeps the bytes and serves
//! them itself (no third-party storage to configure). Only PNG, JPEG, WebP and GIF are accepted,
//! recognised by their leading bytes rather than a client's claim, and never SVG (a script
//! carrier); at most [`MAX_BYTES`]. Each owner holds one image per purpose: a new upload replaces
//! the old, whose address then stops working.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use uuid::Uuid;

use super::auth::AuthUser;
use super::{ServiceError, ServiceResult};
use crate::db::DbPool;
use crate::db::models::{Organization, User};
use crate::db::schema::{organizations as orgs, uploaded_images as images, users};

pub const MAX_BYTES: usize = 512 * 1024;
const URL_PREFIX: &str = "/api/images/";

/// The image type its bytes say it is.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else {
        None
    }
}

fn check(bytes: &[u8]) -> ServiceResult<&'static str> {
    if bytes.is_empty() {
        return Err(ServiceError::Invalid("the image is empty".into()));
    }
    if bytes.len() > MAX_BYTES {
        return Err(ServiceError::Invalid(format!(
            "the image is {} KB; at most {} KB",
            bytes.len().div_ceil(1024),
            MAX_BYTES / 1024
        )));
    }
    sniff(bytes).ok_or_else(|| {
        ServiceError::Invalid("upload a PNG, JPEG, WebP or GIF image (SVG is not accepted)".into())
    })
}

fn url_of(id: Uuid) -> String {
    format!("{URL_PREFIX}{id}")
}

/// Whose image it is: one per owner and purpose.
#[derive(Clone, Copy)]
enum Owner {
    Organization(Uuid),
    User { user: Uuid, org: Option<Uuid> },
}

/// Deletes the owner's image and stores `image` (bytes, type) in its place; returns its address.
async fn replace(
    conn: &mut diesel_async::AsyncPgConnection,
    owner: Owner,
    image: Option<(&[u8], &'static str)>,
) -> ServiceResult<Option<String>> {
    let (org, user, purpose) = match owner {
        Owner::Organization(org) => (Some(org), None, "organization_logo"),
        Owner::User { user, org } => (org, Some(user), "avatar"),
    };
    let mine = images::purpose.eq(purpose);
    match owner {
        Owner::Organization(org) => {
            diesel::delete(
                images::table
                    .filter(mine)
                    .filter(images::organization_id.eq(org)),
            )
            .execute(conn)
            .await?
        }
        Owner::User { user, .. } => {
            diesel::delete(images::table.filter(mine).filter(images::user_id.eq(user)))
                .execute(conn)
                .await?
        }
    };
    let Some((bytes, content_type)) = image else {
        return Ok(None);
    };
    let id: Uuid = diesel::insert_into(images::table)
        .values((
            images::organization_id.eq(org),
            images::user_id.eq(user),
            images::purpose.eq(purpose),
            images::content_type.eq(content_type),
            images::bytes.eq(bytes),
        ))
        .returning(images::id)
        .get_result(conn)
        .await?;
    Ok(Some(url_of(id)))
}

/// The bytes with their checked type.
fn checked(bytes: Option<&[u8]>) -> ServiceResult<Option<(&[u8], &'static str)>> {
    bytes.map(|b| check(b).map(|t| (b, t))).transpose()
}

/// Sets (or with `None`, removes) the organization's logo (admins).
pub async fn set_logo(
    pool: &DbPool,
    user: &AuthUser,
    bytes: Option<&[u8]>,
) -> ServiceResult<Organization> {
    let org = user.require_admin()?;
    let image = checked(bytes)?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let url = replace(conn, Owner::Organization(org), image).await?;
        Ok(diesel::update(orgs::table.find(org))
            .set(orgs::logo_url.eq(url))
            .returning(Organization::as_returning())
            .get_result(conn)
            .await?)
    })
    .await
}

/// Sets (or with `None`, removes) the caller's avatar.
pub async fn set_avatar(
    pool: &DbPool,
    user: &AuthUser,
    bytes: Option<&[u8]>,
) -> ServiceResult<User> {
    let image = checked(bytes)?;
    let owner = Owner::User {
        user: user.user_id,
        org: user.org_id,
    };
    let mut conn = pool.get().await?;
    conn.transaction::<_, ServiceError, _>(async |conn| {
        let url = replace(conn, owner, image).await?;
        Ok(diesel::update(users::table.find(user.user_id))
            .set(users::avatar_url.eq(url))
            .returning(User::as_returning())
            .get_result(conn)
            .await?)
    })
    .await
}

/// A person's uploaded avatar goes with their account: to the row their account moved to, or
/// away with the account (its address then stops working).
pub(crate) async fn avatar_follows(
    conn: &mut diesel_async::AsyncPgConnection,
    from: Uuid,
    to: Option<Uuid>,
) -> ServiceResult<()> {
    let theirs = images::table
        .filter(images::user_id.eq(from))
        .filter(images::purpose.eq("avatar"));
    match to {
        Some(to) => {
            diesel::update(theirs)
                .set(images::user_id.eq(to))
                .execute(conn)
                .await?
        }
        None => diesel::delete(theirs).execute(conn).await?,
    };
    Ok(())
}

/// An image by its id: (content type, bytes). Public: the id is unguessable and an `<img>`
/// cannot send a bearer token.
pub async fn load(pool: &DbPool, id: Uuid) -> ServiceResult<(String, Vec<u8>)> {
    let mut conn = pool.get().await?;
    images::table
        .find(id)
        .select((images::content_type, images::bytes))
        .first(&mut conn)
        .await
        .optional()?
        .ok_or(ServiceError::NotFound("image"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_images_by_their_bytes_not_their_name() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"GIF89a..."), Some("image/gif"));
        assert_eq!(sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), None);
        assert_eq!(sniff(b"<html><script>"), None);
        assert!(check(&[]).is_err());
        assert!(check(&vec![0xFF; MAX_BYTES + 1]).is_err());
    }
}
