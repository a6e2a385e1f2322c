//! The portal's pages: the Vite build of `ui/portal.html` embedded in the binary (rust-embed; the
//! build script copies `ui/dist-portal` or a placeholder into `$OUT_DIR/portal`), served at `/`
//! with a fallback to the page for the single-page app's own paths, and a Content Security
//! Policy on every answer.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::AppError;

#[derive(RustEmbed)]
#[folder = "$OUT_DIR/portal"]
struct Built;

/// Only the page's own scripts, styles, fonts and API; nothing framed, posted or loaded
/// elsewhere.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

/// A built file, or the page itself for any other path outside the API.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if path.starts_with("v1/") || path == "v1" {
        return AppError::NotFound(format!("no route {}", uri.path())).into_response();
    }
    let file = if path.is_empty() { "portal.html" } else { path };
    if let Some(f) = Built::get(file) {
        return asset(file, f);
    }
    // A path with an extension is a missing file; anything else is one of the page's routes.
    if file
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
    {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match Built::get("portal.html") {
        Some(f) => asset("portal.html", f),
        None => (StatusCode::NOT_FOUND, "the portal was not built").into_response(),
    }
}

fn asset(name: &str, f: rust_embed::EmbeddedFile) -> Response {
    let mime = f.metadata.mimetype().to_owned();
    // Vite names built files by their content: they never change. The page itself may.
    let cache = if name.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, cache.to_owned()),
        ],
        Body::from(f.data.into_owned()),
    )
        .into_response()
}
