//! The xueshi web application: HTML pages in Simplified Chinese for browsers (phone and
//! desktop) and a JSON API under `/api/v1`, both on one axum router.
//!
//! Each feature module lists its routes with the people allowed to use them
//! ([`access::Route`]); handlers parse input, check who may act, call the store and the
//! core rules, and render.

pub mod access;
mod admin;
mod api;
pub mod assets;
pub mod auth;
pub mod bootstrap;
pub mod claim_access;
pub mod claims;
pub mod config;
pub mod csrf;
pub mod demo;
pub mod demo_claims;
pub mod demo_history;
pub mod directory;
pub mod error;
mod extract;
pub mod files;
mod home;
pub mod import;
mod ledger;
pub mod page;
mod render;
pub mod reports;
pub mod review;
mod signin;
pub mod terms;
pub mod transcripts;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use tower_http::trace::TraceLayer;
use xueshi_store::Db;
use xueshi_store::blobs::BlobStore;

pub use config::Config;

/// State shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Evidence files and uploaded spreadsheets, content-addressed.
    pub blobs: BlobStore,
}

impl AppState {
    /// Opens the file store in the data folder.
    pub fn new(db: Db, config: Config) -> anyhow::Result<Self> {
        let blobs = BlobStore::local(&config.evidence_dir())?;
        Ok(Self {
            db,
            config: Arc::new(config),
            blobs,
        })
    }
}

/// Returns every route of the application, each with its access rule.
pub fn routes() -> Vec<access::Route> {
    let mut routes = Vec::new();
    routes.extend(assets::routes());
    routes.extend(signin::routes());
    routes.extend(home::routes());
    routes.extend(admin::routes());
    routes.extend(terms::routes());
    routes.extend(ledger::routes());
    routes.extend(claims::routes());
    routes.extend(review::routes());
    routes.extend(reports::routes());
    routes.extend(api::routes());
    routes.extend(transcripts::routes());
    routes
}

/// Builds the application with its middleware, ready to serve or to test with
/// `tower::ServiceExt::oneshot`.
pub fn build_app(state: AppState) -> Router {
    access::build_router(routes())
        .fallback(|| async { error::AppError::NotFound })
        .layer(middleware::from_fn(page::take_flash))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect))
        .layer(middleware::from_fn(render::render_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::load_user,
        ))
        .layer(middleware::from_fn(render::security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(render::request_span))
        .with_state(state)
}

/// Serves the application on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    let app = build_app(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received, finishing open requests");
}
