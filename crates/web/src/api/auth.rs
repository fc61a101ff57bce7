//! Tokens and the caller's own identity.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use xueshi_store::{auth as store_auth, now_ms, people};

use super::ApiJson;
use crate::AppState;
use crate::access::{Access, Route};
use crate::auth::{ClientInfo, CurrentUser, token};
use crate::error::{AppError, AppResult};
use crate::signin::authenticate;

pub fn routes() -> Vec<Route> {
    vec![
        Route::post("/api/v1/auth/token", Access::Public, post(create_token)),
        Route {
            method: axum::http::Method::DELETE,
            path: "/api/v1/auth/token",
            access: Access::SignedInAny,
            handler: delete(revoke_token),
        },
        Route::get("/api/v1/me", Access::SignedIn, get(me)),
    ]
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    staff_id: String,
    password: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// Bearer token for the `Authorization` header.
    token: String,
    /// Expiry as milliseconds since the Unix epoch.
    expires_at: i64,
}

/// Exchanges a staff ID and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", request_body = TokenRequest, security(()),
    responses((status = 200, body = TokenResponse), (status = 401, body = super::ErrorBody, description = "工号或密码不正确"),
        (status = 403, body = super::ErrorBody, description = "须先在网页修改密码"), (status = 429, body = super::ErrorBody, description = "失败次数过多，已锁定")))]
pub async fn create_token(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(request): ApiJson<TokenRequest>,
) -> AppResult<Json<TokenResponse>> {
    let person_id = authenticate(&state, &request.staff_id, &request.password, &client.ip).await?;
    let mut conn = state.db.conn().await?;
    let person = people::get(&mut conn, &person_id).await?;
    if person.must_change_password {
        return Err(AppError::Forbidden(
            "这是一次性密码，请先登录网页修改密码，再获取令牌。".into(),
        ));
    }
    let secret = token::random_token();
    let expires_at = now_ms() + state.config.api_token_days * 86_400_000;
    store_auth::create_api_token(
        &mut conn,
        &token::hash_token(&secret),
        &person_id,
        expires_at,
    )
    .await?;
    Ok(Json(TokenResponse {
        token: secret,
        expires_at,
    }))
}

/// Revokes the token used for this request.
#[utoipa::path(delete, path = "/api/v1/auth/token", responses((status = 204), (status = 401, body = super::ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> AppResult<StatusCode> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    store_auth::delete_api_token(
        &mut *state.db.conn().await?,
        &token::hash_token(token.trim()),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RoleView {
    /// `teacher`, `office-director`, `unit-reviewer`, `center-admin` or `system-admin`.
    role: String,
    label: String,
    /// Office id (office directors) or unit id (unit reviewers).
    scope_id: Option<String>,
    scope_name: Option<String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MeResponse {
    id: String,
    staff_id: String,
    name: String,
    unit: Option<String>,
    office: Option<String>,
    title: String,
    roles: Vec<RoleView>,
}

pub fn role_views(grants: &[xueshi_store::people::Grant]) -> Vec<RoleView> {
    grants
        .iter()
        .map(|g| RoleView {
            role: g.role.as_str().to_owned(),
            label: g.label(),
            scope_id: g.scope_id.clone(),
            scope_name: g.scope_name.clone(),
        })
        .collect()
}

/// The person the token belongs to, with their roles.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = MeResponse), (status = 401, body = super::ErrorBody)))]
pub async fn me(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<MeResponse>> {
    let person = people::get(&mut *state.db.conn().await?, &user.person_id).await?;
    Ok(Json(MeResponse {
        id: person.id,
        staff_id: person.staff_id,
        name: person.name,
        unit: person.unit_name,
        office: person.office_name,
        title: person.title,
        roles: role_views(&user.grants),
    }))
}
