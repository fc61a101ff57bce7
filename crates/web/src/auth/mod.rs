//! Who is making a request: browser sessions (cookie) for pages, bearer tokens for the
//! JSON API under `/api/`, and the client's address for sign-in throttling.

pub mod password;
pub mod token;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use xueshi_core::RoleKind;
use xueshi_store::people::{self, Grant};
use xueshi_store::{auth as store_auth, now_ms};

use crate::AppState;
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "xueshi_session";

/// Refresh a session's expiry at most this often, to save a write per request.
const TOUCH_INTERVAL_MS: i64 = 5 * 60 * 1000;

/// The signed-in person making the request.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub person_id: String,
    pub staff_id: String,
    pub name: String,
    pub unit_id: Option<String>,
    pub office_id: Option<String>,
    pub grants: Vec<Grant>,
    pub must_change_password: bool,
    pub via: AuthVia,
}

/// How the request proved who it is.
#[derive(Clone, Debug)]
pub enum AuthVia {
    Session {
        token_hash: String,
        csrf_token: String,
    },
    Bearer,
}

impl CurrentUser {
    pub fn has(&self, kind: RoleKind) -> bool {
        self.grants.iter().any(|grant| grant.role == kind)
    }

    pub fn has_any(&self, kinds: &[RoleKind]) -> bool {
        kinds.iter().any(|kind| self.has(*kind))
    }

    /// Scope ids (office or unit ids) of a scoped role the person holds.
    pub fn scopes(&self, kind: RoleKind) -> Vec<String> {
        self.grants
            .iter()
            .filter(|grant| grant.role == kind)
            .filter_map(|grant| grant.scope_id.clone())
            .collect()
    }

    /// Holds an administrator role: center administrator or system administrator.
    pub fn is_admin(&self) -> bool {
        self.has_any(&[RoleKind::CenterAdmin, RoleKind::SystemAdmin])
    }

    pub fn csrf_token(&self) -> Option<&str> {
        match &self.via {
            AuthVia::Session { csrf_token, .. } => Some(csrf_token),
            AuthVia::Bearer => None,
        }
    }
}

/// The user, if any, as the `load_user` middleware found them.
#[derive(Clone, Debug, Default)]
pub struct MaybeUser(pub Option<CurrentUser>);

/// Facts about the connection the handlers need.
#[derive(Clone, Debug)]
pub struct ClientInfo {
    /// The client's address (behind a trusted proxy: as the proxy reports it).
    pub ip: String,
    /// Whether the browser reached us over HTTPS, so cookies must be `Secure`.
    pub https: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<MaybeUser>()
            .and_then(|user| user.0.clone())
            .ok_or(AppError::Unauthorized)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<MaybeUser>()
            .cloned()
            .unwrap_or_default())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientInfo>()
            .cloned()
            .unwrap_or(ClientInfo {
                ip: "unknown".into(),
                https: false,
            }))
    }
}

/// Returns the value of a cookie in the request headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Builds a `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, and `Secure` over HTTPS.
/// A `max_age` of zero deletes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_owned())
}

fn client_info(state: &AppState, request: &Request) -> ClientInfo {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let headers = request.headers();
    if !state.config.trust_proxy {
        return ClientInfo {
            ip: peer,
            https: state.config.secure_cookies,
        };
    }
    // The proxy appends the address it saw, so the last entry is the one to trust.
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty());
    let https = state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            == Some("https");
    ClientInfo {
        ip: forwarded.unwrap_or(peer),
        https,
    }
}

/// Loads the signed-in user into the request: from the bearer token on `/api/` paths
/// (the API never reads cookies, so it needs no CSRF protection), from the session
/// cookie elsewhere.
pub async fn load_user(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = client_info(&state, &request);
    let is_api = request.uri().path().starts_with("/api/");
    let user = match identify(&state, request.headers(), is_api).await {
        Ok(user) => user,
        Err(error) => return error.into_response(),
    };
    request.extensions_mut().insert(client);
    request.extensions_mut().insert(MaybeUser(user));
    next.run(request).await
}

async fn identify(
    state: &AppState,
    headers: &HeaderMap,
    is_api: bool,
) -> Result<Option<CurrentUser>, AppError> {
    let now = now_ms();
    let mut conn = state.db.conn().await?;
    let conn = &mut *conn;
    let (person_id, via) = if is_api {
        let Some(token) = bearer_token(headers) else {
            return Ok(None);
        };
        let Some(person_id) =
            store_auth::find_api_token(conn, &token::hash_token(&token), now).await?
        else {
            return Ok(None);
        };
        (person_id, AuthVia::Bearer)
    } else {
        let Some(cookie) = cookie_value(headers, SESSION_COOKIE) else {
            return Ok(None);
        };
        let token_hash = token::hash_token(&cookie);
        let Some(session) = store_auth::find_session(conn, &token_hash, now).await? else {
            return Ok(None);
        };
        if now - session.last_seen_at > TOUCH_INTERVAL_MS {
            let expires_at = now + state.config.session_idle_hours * 3_600_000;
            store_auth::touch_session(conn, &token_hash, now, expires_at).await?;
        }
        (
            session.person_id,
            AuthVia::Session {
                token_hash,
                csrf_token: session.csrf_token,
            },
        )
    };

    let person = match people::get(conn, &person_id).await {
        Ok(person) => person,
        Err(xueshi_store::StoreError::NotFound) => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    if !person.active {
        return Ok(None);
    }
    let grants = people::grants(conn, &person_id).await?;
    Ok(Some(CurrentUser {
        person_id,
        staff_id: person.staff_id,
        name: person.name,
        unit_id: person.unit_id,
        office_id: person.office_id,
        grants,
        must_change_password: person.must_change_password,
        via,
    }))
}
