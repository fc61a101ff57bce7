//! The route table: every route with the people allowed to use it.
//!
//! Each feature module lists its routes as [`Route`] values; [`build_router`] mounts them
//! with a guard that enforces [`Access`] before the handler runs. The authorization test
//! walks this same table with every role, so a route cannot be added without declaring
//! who may use it.

use axum::Router;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use xueshi_core::RoleKind;

use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::AppError;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person, even one who must still change their password.
    SignedInAny,
    /// Any signed-in person whose password is settled.
    SignedIn,
    /// Signed-in people holding at least one of these roles.
    Roles(&'static [RoleKind]),
}

/// Center and system administrators.
pub const ADMINS: Access = Access::Roles(&[RoleKind::CenterAdmin, RoleKind::SystemAdmin]);
/// The center's administrators only.
pub const CENTER: Access = Access::Roles(&[RoleKind::CenterAdmin]);

/// One route of the application.
pub struct Route {
    pub method: Method,
    /// An axum path, e.g. `/admin/units/{id}`.
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<AppState>,
}

impl Route {
    pub fn get(path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Self {
        Self {
            method: Method::GET,
            path,
            access,
            handler,
        }
    }

    pub fn post(path: &'static str, access: Access, handler: MethodRouter<AppState>) -> Self {
        Self {
            method: Method::POST,
            path,
            access,
            handler,
        }
    }
}

/// Mounts every route behind its access guard.
pub fn build_router(routes: Vec<Route>) -> Router<AppState> {
    let mut by_path: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for route in routes {
        let access = route.access;
        let guarded =
            route
                .handler
                .route_layer(middleware::from_fn(move |request: Request, next: Next| {
                    guard(access, request, next)
                }));
        match by_path.iter_mut().find(|(path, _)| *path == route.path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(guarded),
            None => by_path.push((route.path, guarded)),
        }
    }
    by_path
        .into_iter()
        .fold(Router::new(), |router, (path, handler)| {
            router.route(path, handler)
        })
}

/// Paths a person who must change their password may still use.
fn allowed_before_password_change(access: Access) -> bool {
    matches!(access, Access::Public | Access::SignedInAny)
}

async fn guard(access: Access, request: Request, next: Next) -> Response {
    if access == Access::Public {
        return next.run(request).await;
    }
    let is_api = request.uri().path().starts_with("/api/");
    let user = request
        .extensions()
        .get::<MaybeUser>()
        .and_then(|u| u.0.clone());
    let Some(user) = user else {
        if is_api {
            return AppError::Unauthorized.into_response();
        }
        return sign_in_redirect(&request);
    };
    if user.must_change_password && !allowed_before_password_change(access) {
        if is_api {
            return AppError::Forbidden(
                "首次登录或密码被重置后必须先修改密码，请登录网页修改密码。".into(),
            )
            .into_response();
        }
        return Redirect::to("/password").into_response();
    }
    if let Access::Roles(roles) = access
        && !user.has_any(roles)
    {
        return AppError::forbidden().into_response();
    }
    next.run(request).await
}

/// Redirects to the sign-in page: a GET remembers where the browser wanted to go, a form
/// submission says the session has expired.
fn sign_in_redirect(request: &Request) -> Response {
    if request.method() != Method::GET {
        return Redirect::to("/login?expired=1").into_response();
    }
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let next: String = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
    Redirect::to(&format!("/login?{next}")).into_response()
}
