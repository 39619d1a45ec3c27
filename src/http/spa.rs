//! Serves the embedded React bundle (`ui/dist`): hashed assets with long cache lifetimes, the
//! SPA's `index.html` for client routes such as `/chat/123`, and gzip/brotli when accepted.
//! Without a built bundle it serves a placeholder page that says how to build one.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, Request, Response, Result};
use rust_embed::RustEmbed;

use super::error::ApiError;

#[derive(RustEmbed)]
#[folder = "ui/dist"]
#[allow_missing = true]
struct UiAssets;

const PLACEHOLDER: &str = include_str!("placeholder.html");
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";
/// Below this size compression saves less than the headers cost.
const MIN_COMPRESS_BYTES: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    fn header(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }

    /// Picks brotli over gzip when the client accepts both (q=0 means refused).
    fn negotiate(req: &Request) -> Option<Self> {
        let accept = req.headers().get(header::ACCEPT_ENCODING)?.to_str().ok()?;
        let accepts = |name: &str| {
            accept.split(',').any(|part| {
                let mut pieces = part.trim().split(';');
                let coding = pieces.next().unwrap_or("").trim();
                let refused =
                    pieces.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
                coding.eq_ignore_ascii_case(name) && !refused
            })
        };
        if accepts("br") {
            Some(Self::Brotli)
        } else if accepts("gzip") {
            Some(Self::Gzip)
        } else {
            None
        }
    }

    fn compress(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Gzip => {
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                enc.write_all(data).expect("writing to a Vec cannot fail");
                enc.finish().expect("writing to a Vec cannot fail")
            }
            Self::Brotli => {
                let mut out = Vec::new();
                let params = brotli::enc::BrotliEncoderParams {
                    quality: 9,
                    ..Default::default()
                };
                brotli::BrotliCompress(&mut &data[..], &mut out, &params)
                    .expect("compressing in memory cannot fail");
                out
            }
        }
    }
}

fn compressible(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime.contains("javascript")
        || mime.contains("json")
        || mime.contains("svg")
        || mime.contains("xml")
        || mime == "application/wasm"
}

/// Whether the embedded bundle exists (false means the placeholder page is served).
pub fn bundle_present() -> bool {
    UiAssets::get("index.html").is_some()
}

type CompressedCache = HashMap<(String, Encoding), Arc<Vec<u8>>>;

#[derive(Default)]
pub struct SpaEndpoint {
    /// Compressed bodies, computed once per file and encoding: the bundle never changes at run time.
    compressed: Mutex<CompressedCache>,
}

struct Asset {
    path: String,
    data: std::borrow::Cow<'static, [u8]>,
    etag: String,
    mime: String,
    cache_control: &'static str,
}

impl SpaEndpoint {
    fn lookup(path: &str) -> Option<Asset> {
        let file = UiAssets::get(path)?;
        let etag = format!("\"{}\"", hex_prefix(&file.metadata.sha256_hash()));
        let mime = mime_guess::from_path(path)
            .first_or_octet_stream()
            .to_string();
        let cache_control = if path.starts_with("assets/") {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        Some(Asset {
            path: path.to_owned(),
            data: file.data,
            etag,
            mime,
            cache_control,
        })
    }

    fn index() -> Asset {
        Self::lookup("index.html").unwrap_or_else(|| Asset {
            path: "index.html".into(),
            data: PLACEHOLDER.as_bytes().into(),
            etag: "\"placeholder\"".into(),
            mime: "text/html".into(),
            cache_control: REVALIDATE,
        })
    }

    fn respond(&self, req: &Request, asset: Asset) -> Response {
        let not_modified = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|tag| tag.trim() == asset.etag || tag.trim() == "*")
            });
        let mime = if asset.mime.starts_with("text/") || asset.mime.contains("javascript") {
            format!("{}; charset=utf-8", asset.mime)
        } else {
            asset.mime.clone()
        };
        let mut builder = Response::builder()
            .header(header::ETAG, asset.etag.as_str())
            .header(header::CACHE_CONTROL, asset.cache_control)
            .header(header::VARY, "Accept-Encoding")
            .content_type(mime);
        if not_modified {
            return builder.status(StatusCode::NOT_MODIFIED).finish();
        }
        let encoding = Encoding::negotiate(req)
            .filter(|_| compressible(&asset.mime) && asset.data.len() >= MIN_COMPRESS_BYTES);
        let body: Vec<u8> = match encoding {
            Some(enc) => {
                builder = builder.header(header::CONTENT_ENCODING, enc.header());
                self.compressed_body(&asset, enc).as_ref().clone()
            }
            None => asset.data.into_owned(),
        };
        if req.method() == Method::HEAD {
            let len = HeaderValue::from(body.len());
            return builder.header(header::CONTENT_LENGTH, len).finish();
        }
        builder.body(body)
    }

    fn compressed_body(&self, asset: &Asset, enc: Encoding) -> Arc<Vec<u8>> {
        let key = (asset.path.clone(), enc);
        if let Some(hit) = self.lock().get(&key) {
            return hit.clone();
        }
        let body = Arc::new(enc.compress(&asset.data));
        self.lock().insert(key, body.clone());
        body
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CompressedCache> {
        self.compressed.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn hex_prefix(hash: &[u8; 32]) -> String {
    hash[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// A path that names a file (has an extension) is not a client route: a miss there is a real 404.
fn looks_like_file(path: &str) -> bool {
    path.starts_with("assets/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
}

impl Endpoint for SpaEndpoint {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return Err(ApiError::MethodNotAllowed.into());
        }
        let path = req.uri().path().trim_start_matches('/').to_owned();
        if path.is_empty() || path == "index.html" {
            return Ok(self.respond(&req, Self::index()));
        }
        if let Some(asset) = Self::lookup(&path) {
            return Ok(self.respond(&req, asset));
        }
        if looks_like_file(&path) {
            return Err(ApiError::NotFound(format!("no such file: /{path}")).into());
        }
        Ok(self.respond(&req, Self::index()))
    }
}
