//! Uploaded images (organization logos, avatars): the request body an upload sends, and
//! `GET /api/images/{id}` serving them back.

use poem_openapi::param::Path;
use poem_openapi::payload::Binary;
use poem_openapi::{ApiRequest, ApiResponse, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use crate::http::{ApiError, ApiResult, AppState};
use crate::services::images;

/// The image itself as the request body (at most 512 KB); its bytes must be of the type named.
#[derive(ApiRequest)]
pub enum ImageUpload {
    #[oai(content_type = "image/png")]
    Png(Binary<Vec<u8>>),
    #[oai(content_type = "image/jpeg")]
    Jpeg(Binary<Vec<u8>>),
    #[oai(content_type = "image/webp")]
    Webp(Binary<Vec<u8>>),
    #[oai(content_type = "image/gif")]
    Gif(Binary<Vec<u8>>),
}

impl ImageUpload {
    /// The bytes, once they are what the Content-Type said.
    pub fn into_checked(self) -> ApiResult<Vec<u8>> {
        let (declared, bytes) = match self {
            Self::Png(b) => ("image/png", b.0),
            Self::Jpeg(b) => ("image/jpeg", b.0),
            Self::Webp(b) => ("image/webp", b.0),
            Self::Gif(b) => ("image/gif", b.0),
        };
        match images::sniff(&bytes) {
            Some(actual) if actual == declared => Ok(bytes),
            _ if bytes.is_empty() => Err(ApiError::Validation("the image is empty".into())),
            Some(actual) => Err(ApiError::Validation(format!(
                "the file is {actual}, not the {declared} its Content-Type says"
            ))),
            None => Err(ApiError::Validation(format!(
                "the file is not a {declared} image"
            ))),
        }
    }
}

/// The image; its address changes when it is replaced, so it may be cached for good. The
/// Content-Security-Policy lets the bytes only ever be shown as an image.
#[derive(ApiResponse)]
pub enum ImageResponse {
    #[oai(status = 200, content_type = "image/png")]
    Png(
        Binary<Vec<u8>>,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Content-Security-Policy")] String,
    ),
    #[oai(status = 200, content_type = "image/jpeg")]
    Jpeg(
        Binary<Vec<u8>>,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Content-Security-Policy")] String,
    ),
    #[oai(status = 200, content_type = "image/webp")]
    Webp(
        Binary<Vec<u8>>,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Content-Security-Policy")] String,
    ),
    #[oai(status = 200, content_type = "image/gif")]
    Gif(
        Binary<Vec<u8>>,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Content-Security-Policy")] String,
    ),
}

impl ImageResponse {
    fn new(content_type: &str, bytes: Vec<u8>) -> ApiResult<Self> {
        let variant = match content_type {
            "image/png" => Self::Png,
            "image/jpeg" => Self::Jpeg,
            "image/webp" => Self::Webp,
            "image/gif" => Self::Gif,
            other => return Err(ApiError::internal(format!("stored image of type {other}"))),
        };
        Ok(variant(
            Binary(bytes),
            "public, max-age=31536000, immutable".into(),
            "default-src 'none'; sandbox".into(),
        ))
    }
}

pub struct ImagesApi {
    state: AppState,
}

impl ImagesApi {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[OpenApi(prefix_path = "/images", tag = "ApiTags::System")]
impl ImagesApi {
    /// An uploaded logo or avatar (public: the address is unguessable, as an `<img>` sends no
    /// token)
    #[oai(path = "/:id", method = "get", operation_id = "get_image")]
    async fn get(&self, id: Path<Uuid>) -> ApiResult<ImageResponse> {
        let (content_type, bytes) = images::load(&self.state.db, id.0).await?;
        ImageResponse::new(&content_type, bytes)
    }
}
