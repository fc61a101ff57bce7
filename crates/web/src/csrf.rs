//! Protection against cross-site request forgery for the browser pages.
//!
//! Every state-changing request (POST, PUT, PATCH, DELETE) outside `/api/` must carry the
//! CSRF token: in the `X-CSRF-Token` header (htmx sends it), in a `_csrf` form field of a
//! URL-encoded form, or in a `_csrf` query parameter (multipart upload forms). For a
//! signed-in browser the token is stored with the session; before sign-in it is a random
//! value in the `xueshi_csrf` cookie (double submit). Requests whose `Origin` or
//! `Sec-Fetch-Site` header shows another site are rejected as well; browsers that send
//! neither header are still held to the token. The API under `/api/` reads only bearer
//! tokens, never cookies, so a forged request there carries no credentials.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::Method;
use axum::http::header::{HOST, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::{ClientInfo, MaybeUser, cookie_value, set_cookie, token};
use crate::error::AppError;

pub const CSRF_COOKIE: &str = "xueshi_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Largest URL-encoded form body read to find the token.
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// The CSRF token that forms on the page being rendered must include.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .unwrap_or(CsrfToken(String::new())))
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn forbidden(message: &str) -> Response {
    AppError::Forbidden(message.to_owned()).into_response()
}

/// Checks the token on state-changing requests and hands every request the token its
/// forms need, setting the anonymous cookie when the browser has none yet.
pub async fn protect(State(_state): State<AppState>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let user = request
        .extensions()
        .get::<MaybeUser>()
        .and_then(|u| u.0.clone());
    let https = request
        .extensions()
        .get::<ClientInfo>()
        .is_some_and(|c| c.https);
    let cookie_token = cookie_value(request.headers(), CSRF_COOKIE).filter(|t| t.len() >= 32);
    let (expected, new_cookie) = match user
        .as_ref()
        .and_then(|u| u.csrf_token().map(str::to_owned))
    {
        Some(session_token) => (session_token, None),
        None => match cookie_token {
            Some(token) => (token, None),
            None => {
                let token = token::random_token();
                (token.clone(), Some(token))
            }
        },
    };

    let mut request = request;
    if !is_safe(request.method()) {
        if cross_site(&request) {
            return forbidden("请求来自其他网站，已被拒绝。请在本系统页面内操作。");
        }
        let (checked, provided) = match provided_token(request).await {
            Ok(pair) => pair,
            Err(response) => return response,
        };
        request = checked;
        if !provided
            .as_deref()
            .is_some_and(|p| token::constant_time_eq(p, &expected))
        {
            return forbidden("页面已过期或表单无效，请刷新页面后重新提交。");
        }
    }

    request.extensions_mut().insert(CsrfToken(expected));
    let mut response = next.run(request).await;
    if let Some(token) = new_cookie {
        // Session length is enough: the cookie only protects forms shown before sign-in.
        response.headers_mut().append(
            SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, 12 * 3600, https),
        );
    }
    response
}

/// Returns whether the browser's headers mark the request as coming from another site.
fn cross_site(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site == "cross-site"
    {
        return true;
    }
    let (Some(origin), Some(host)) = (
        headers.get(ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(HOST).and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    if origin == "null" {
        return true;
    }
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    origin_host != host
}

/// Finds the token in the header, the query or a URL-encoded body, and returns the
/// request with its body restored.
async fn provided_token(request: Request) -> Result<(Request, Option<String>), Response> {
    if let Some(value) = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        let value = value.to_owned();
        return Ok((request, Some(value)));
    }
    if let Some(query) = request.uri().query()
        && let Some(value) = form_value(query.as_bytes(), CSRF_FIELD)
    {
        return Ok((request, Some(value)));
    }
    let is_form = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((request, None));
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| {
            AppError::TooLarge("提交的表单内容过大，请分批提交。".into()).into_response()
        })?;
    let value = form_value(&bytes, CSRF_FIELD);
    Ok((Request::from_parts(parts, Body::from(bytes)), value))
}

fn form_value(encoded: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(encoded).ok()?;
    pairs
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}
