//! The reports the center publishes: the per-unit table of a term, its breakdowns, the
//! dashboard with charts, the downloads (一览表, claim details, the feedback notice) and
//! the JSON of the table for the API and the command line.
//!
//! The per-unit table, the dashboard and the notice are for center administrators. Unit
//! reviewers see the breakdowns and the claim details of their own unit only.

mod breakdowns;
mod dashboard;
pub mod exports;
mod hours;
mod notice;
mod overview;
mod picker;
pub mod table;
pub mod term;

use axum::routing::{get, post};
use xueshi_core::RoleKind;

use crate::access::{Access, CENTER, Route};

pub use term::{ReportError, find_term};

/// Center administrators, and unit reviewers scoped to their own unit.
pub const CENTER_AND_UNIT_REVIEWERS: Access =
    Access::Roles(&[RoleKind::CenterAdmin, RoleKind::UnitReviewer]);

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/reports", CENTER, get(overview::index)),
        Route::get("/reports/dashboard", CENTER, get(dashboard::dashboard)),
        Route::get("/reports/units.xlsx", CENTER, get(overview::units_xlsx)),
        Route::get("/reports/units.csv", CENTER, get(overview::units_csv)),
        Route::get("/reports/notice.docx", CENTER, get(notice::notice_docx)),
        Route::get(
            "/reports/reasons",
            CENTER_AND_UNIT_REVIEWERS,
            get(breakdowns::reasons),
        ),
        Route::get(
            "/reports/categories",
            CENTER_AND_UNIT_REVIEWERS,
            get(breakdowns::categories),
        ),
        Route::get(
            "/reports/review",
            CENTER_AND_UNIT_REVIEWERS,
            get(breakdowns::review),
        ),
        Route::get(
            "/reports/ledger",
            CENTER_AND_UNIT_REVIEWERS,
            get(breakdowns::ledger),
        ),
        Route::get(
            "/reports/hours",
            CENTER_AND_UNIT_REVIEWERS,
            get(hours::hours),
        ),
        Route::get(
            "/reports/exports",
            CENTER_AND_UNIT_REVIEWERS,
            get(exports::form),
        ),
        Route::post(
            "/reports/exports",
            CENTER_AND_UNIT_REVIEWERS,
            post(exports::start),
        ),
        Route::get(
            "/reports/exports/{id}",
            CENTER_AND_UNIT_REVIEWERS,
            get(exports::status),
        ),
        Route::get(
            "/reports/exports/{id}/file",
            CENTER_AND_UNIT_REVIEWERS,
            get(exports::download),
        ),
    ]
}

/// Formats a whole percent for display, e.g. "63%".
fn percent(value: u32) -> String {
    format!("{value}%")
}

/// Serializes chart data for a `<script type="application/json">` element. `<`, `>`
/// and `&` are escaped as JSON `\u` sequences, so no text (a unit named `</script>`, say)
/// can end the element early, and `JSON.parse` still reads the original text.
fn script_json<T: serde::Serialize>(value: &T) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_element() {
        let json = script_json(&serde_json::json!({ "unit": "</script><b>&" }));

        assert!(!json.contains('<'), "{json}");
        assert!(!json.contains('&'), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["unit"], "</script><b>&");
    }
}
