//! Static files compiled into the binary: our stylesheet and script, and the htmx and
//! ECharts builds that `build.rs` installs from npm.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::access::{Access, Route};
use crate::error::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../static/app.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/app.js"),
    },
    Asset {
        name: "charts.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/charts.js"),
    },
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/node_modules/htmx.org/dist/htmx.min.js"
        )),
    },
    Asset {
        name: "echarts.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/node_modules/echarts/dist/echarts.min.js"
        )),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../static/favicon.svg"),
    },
];

/// A short hash of every asset, appended to asset URLs so browsers may cache them forever.
fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut hasher = Sha256::new();
        for asset in ASSETS {
            hasher.update(asset.bytes);
        }
        hex::encode(&hasher.finalize()[..6])
    })
}

/// The URL of an asset, with the cache-busting version.
pub fn url(name: &str) -> String {
    format!("/assets/{name}?v={}", version())
}

async fn serve(Path(name): Path<String>) -> Result<Response, AppError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (CONTENT_TYPE, asset.content_type),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        asset.bytes,
    )
        .into_response())
}

pub fn routes() -> Vec<Route> {
    vec![Route::get(
        "/assets/{name}",
        Access::Public,
        axum::routing::get(serve),
    )]
}
