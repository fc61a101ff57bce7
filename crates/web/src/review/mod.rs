//! Review level by level (校院逐级审核): the reviewers' queues, the review page of one
//! claim with its decision forms, batch approval of claims without flags, and the
//! reviewers' section of the home page.
//!
//! Every decision goes through [`decide::decide`], which the pages and the JSON API
//! share. It checks who may decide at the claim's current level and then calls the
//! store's one transition function inside one write transaction.

mod claim;
pub mod decide;
pub mod home;
pub mod queue;
pub mod scope;
pub mod view;

use axum::routing::{get, post};

use crate::access::Route;

pub use scope::REVIEWERS;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/reviews", REVIEWERS, get(queue::queue_page)),
        Route::post("/reviews/batch", REVIEWERS, post(queue::batch_approve)),
        Route::get("/reviews/{id}", REVIEWERS, get(claim::review_page)),
        Route::post(
            "/reviews/{id}/decision",
            REVIEWERS,
            post(claim::decide_form),
        ),
        Route::get(
            "/reviews/{id}/evidence/{evidence_id}/inline",
            REVIEWERS,
            get(claim::evidence_inline),
        ),
    ]
}
