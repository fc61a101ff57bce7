//! The per-unit table of a term for scripts: the same JSON as `xueshi report units`.

use axum::Json;
use axum::extract::State;
use axum::routing::get;

use crate::AppState;
use crate::access::{CENTER, Route};
use crate::error::AppResult;
use crate::extract::Query;
use crate::reports::find_term;
use crate::reports::table::{self, UnitTableJson};

pub fn routes() -> Vec<Route> {
    vec![Route::get("/api/v1/reports/units", CENTER, get(unit_table))]
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct UnitTableQuery {
    /// Term code such as `2022-2023-2` (the label 2022-2023学年第二学期 works too).
    term: Option<String>,
}

/// The per-unit table of a term: teaching units by pass rate, then 其他单位, and the
/// total. Counts are finished claims; claims still in review are not counted.
#[utoipa::path(get, path = "/api/v1/reports/units", params(UnitTableQuery),
    responses((status = 200, body = UnitTableJson),
        (status = 403, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody, description = "学年学期缺失或不存在；message 列出已有的学年学期")))]
pub async fn unit_table(
    State(state): State<AppState>,
    Query(query): Query<UnitTableQuery>,
) -> AppResult<Json<UnitTableJson>> {
    let mut conn = state.db.conn().await?;
    let term = find_term(&mut conn, query.term.as_deref().unwrap_or_default()).await?;
    let unit_table = table::load(&mut conn, term.code).await?;
    Ok(Json(UnitTableJson::new(term.code, &unit_table)))
}
