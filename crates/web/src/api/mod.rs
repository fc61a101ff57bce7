//! The JSON API under `/api/v1`, for scripts and other systems. Requests authenticate
//! with a bearer token from `POST /api/v1/auth/token`; the API never reads cookies.
//! Errors are `{"code", "message", "errors"}` with a Chinese message.

mod auth;
mod claims;
mod history;
mod ledger;
mod people;
mod reports;
mod terms;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::access::{Access, Route};
use crate::error::AppError;

pub fn routes() -> Vec<Route> {
    let mut routes = vec![Route::get(
        "/api/v1/openapi.json",
        Access::Public,
        get(openapi_json),
    )];
    routes.extend(auth::routes());
    routes.extend(people::routes());
    routes.extend(terms::routes());
    routes.extend(ledger::routes());
    routes.extend(claims::routes());
    routes.extend(history::routes());
    routes.extend(reports::routes());
    routes
}

/// A JSON body whose parse errors become Chinese 400/422 responses.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::BadRequest(
                "请求头须为 Content-Type: application/json。".into(),
            )),
            Err(JsonRejection::JsonDataError(error)) => Err(AppError::invalid(format!(
                "请求体的字段不符合要求：{}。请对照 /api/v1/openapi.json 检查字段名和类型。",
                error.body_text()
            ))),
            Err(error) => Err(AppError::BadRequest(format!(
                "请求体不是有效的 JSON：{}。",
                error.body_text()
            ))),
        }
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("POST /api/v1/auth/token 返回的令牌"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "学时 API", description = "教师培训学时认定平台的 JSON 接口。除获取令牌外，所有请求须带 `Authorization: Bearer 令牌`。错误响应为 `{\"code\", \"message\", \"errors\"}`，message 为中文说明。"),
    paths(
        auth::create_token,
        auth::revoke_token,
        auth::me,
        people::list_units,
        people::create_unit,
        people::update_unit,
        people::list_people,
        people::get_person,
        people::grant_role,
        people::revoke_role,
        people::reset_password,
        people::set_active,
        people::import_roster,
        terms::list,
        terms::list_categories,
        ledger::list,
        ledger::create,
        ledger::show,
        ledger::import,
        claims::list_claims,
        claims::create,
        claims::get_claim,
        claims::update,
        claims::remove,
        claims::upload,
        claims::submit,
        claims::withdraw,
        claims::download,
        history::import_history,
        reports::unit_table,
    ),
    components(schemas(crate::error::FieldError)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The error body every API error has, for the OpenAPI document.
#[derive(utoipa::ToSchema, serde::Serialize)]
#[allow(dead_code)]
pub struct ErrorBody {
    /// Stable code such as `invalid`, `forbidden`, `conflict`.
    code: String,
    /// Chinese message for the person.
    message: String,
    errors: Vec<crate::error::FieldError>,
}
