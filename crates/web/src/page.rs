//! What every HTML page shares: the signed-in user, the navigation for their roles, the
//! CSRF token for forms and the one-time message (flash) left by the previous action.

use axum::extract::{FromRequestParts, Request};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use xueshi_core::RoleKind;
use xueshi_store::notifications;

use crate::AppState;
use crate::auth::{ClientInfo, CurrentUser, MaybeUser, cookie_value, set_cookie};
use crate::csrf::CsrfToken;

const FLASH_COOKIE: &str = "xueshi_flash";
const NOTIFICATIONS_HREF: &str = "/notifications";

/// A link in the navigation bar.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
    /// A number shown after the label, such as the unread notifications.
    pub count: Option<i64>,
}

/// The kind of a one-time message, which sets its color.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlashKind {
    Success,
    Warning,
    Error,
}

impl FlashKind {
    pub fn css(self) -> &'static str {
        match self {
            FlashKind::Success => "success",
            FlashKind::Warning => "warning",
            FlashKind::Error => "error",
        }
    }
}

/// A message shown once, on the page after a redirect.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

/// The parts of the layout every page template receives as `page`.
#[derive(Debug, Clone)]
pub struct Page {
    pub title: String,
    pub user: Option<CurrentUser>,
    pub csrf: String,
    pub nav: Vec<NavLink>,
    pub flash: Option<Flash>,
    pub path: String,
}

impl Page {
    /// Sets the page title shown in the browser tab and the heading.
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Lowers the unread count on the notifications link by `read`, for a page that
    /// marked some notifications read after the navigation was built.
    pub fn notifications_read(mut self, read: u64) -> Self {
        let read = i64::try_from(read).unwrap_or(i64::MAX);
        for link in &mut self.nav {
            if link.href == NOTIFICATIONS_HREF {
                link.count = link.count.map(|n| n - read).filter(|n| *n > 0);
            }
        }
        self
    }

    pub fn user_name(&self) -> &str {
        self.user.as_ref().map(|u| u.name.as_str()).unwrap_or("")
    }

    pub fn role_labels(&self) -> String {
        let Some(user) = &self.user else {
            return String::new();
        };
        let mut labels: Vec<&str> = user.grants.iter().map(|g| g.role.label()).collect();
        labels.dedup();
        labels.join("、")
    }

    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    pub fn asset(&self, name: &str) -> String {
        crate::assets::url(name)
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = parts
            .extensions
            .get::<MaybeUser>()
            .and_then(|u| u.0.clone());
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let flash = parts.extensions.get::<Flash>().cloned();
        let path = parts.uri.path().to_owned();
        let nav = match &user {
            Some(user) => {
                let unread = unread_count(state, &user.person_id).await;
                navigation(user, &path, unread)
            }
            None => Vec::new(),
        };
        Ok(Page {
            title: String::new(),
            user,
            csrf,
            nav,
            flash,
            path,
        })
    }
}

/// Counts the person's unread notifications for the navigation. A failed query shows
/// the link without a number, because the page itself may still work.
async fn unread_count(state: &AppState, person_id: &str) -> i64 {
    let count = match state.db.conn().await {
        Ok(mut conn) => notifications::count_unread(&mut conn, person_id).await,
        Err(error) => Err(error),
    };
    count.unwrap_or_else(|error| {
        tracing::warn!(error = %error, "counting unread notifications failed");
        0
    })
}

/// Builds the navigation for a person's roles, marking the current section and putting
/// the number of unread notifications on their link.
fn navigation(user: &CurrentUser, path: &str, unread: i64) -> Vec<NavLink> {
    // Daily work first (claims, review, ledger, reports), then notices, then the
    // administrators' set-up pages.
    let mut links: Vec<(&'static str, &'static str)> = vec![("/", "首页")];
    if user.has(RoleKind::Teacher) {
        links.push(("/claims", "我的申报"));
    }
    if user.has_any(&[
        RoleKind::OfficeDirector,
        RoleKind::UnitReviewer,
        RoleKind::CenterAdmin,
    ]) {
        links.push(("/reviews", "审核"));
    }
    if user.has_any(&[RoleKind::CenterAdmin, RoleKind::UnitReviewer]) {
        links.push(("/ledger", "培训台账"));
    }
    if user.has(RoleKind::CenterAdmin) {
        links.push(("/reports", "统计报表"));
    } else if user.has(RoleKind::UnitReviewer) {
        links.push(("/reports/reasons", "本单位统计"));
    }
    links.push((NOTIFICATIONS_HREF, "通知"));
    links.push(("/transcripts", "学时证明"));
    if user.is_admin() {
        links.push(("/admin/units", "单位与教研室"));
        links.push(("/admin/people", "人员与角色"));
    }
    if user.has(RoleKind::CenterAdmin) {
        links.push(("/admin/import/roster", "导入名单"));
        links.push(("/admin/terms", "学期与类别"));
        links.push(("/admin/reasons", "未通过原因"));
        links.push(("/admin/import/history", "导入历史记录"));
    }
    links
        .into_iter()
        .map(|(href, label)| NavLink {
            href,
            label,
            active: if href == "/" {
                path == "/"
            } else {
                path.starts_with(href)
            },
            count: (href == NOTIFICATIONS_HREF && unread > 0).then_some(unread),
        })
        .collect()
}

/// Redirects (303) to `location`, leaving a one-time message for the next page.
pub fn redirect_with_flash(location: &str, kind: FlashKind, text: impl Into<String>) -> Response {
    let flash = Flash {
        kind,
        text: text.into(),
    };
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&flash).unwrap_or_default());
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(
        LOCATION,
        HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/")),
    );
    headers.append(SET_COOKIE, set_cookie(FLASH_COOKIE, &encoded, 60, false));
    response
}

/// Moves the flash cookie into the request for the page to show, and deletes the
/// cookie once a page (not another redirect) has been sent.
pub async fn take_flash(mut request: Request, next: Next) -> Response {
    let raw = cookie_value(request.headers(), FLASH_COOKIE);
    let https = request
        .extensions()
        .get::<ClientInfo>()
        .is_some_and(|c| c.https);
    let flash = raw.as_deref().and_then(|raw| {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .ok()?;
        serde_json::from_slice::<Flash>(&bytes).ok()
    });
    if let Some(flash) = flash {
        request.extensions_mut().insert(flash);
    }
    let mut response = next.run(request).await;
    let sets_own_flash = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.starts_with(FLASH_COOKIE)));
    if raw.is_some() && !response.status().is_redirection() && !sets_own_flash {
        response
            .headers_mut()
            .append(SET_COOKIE, set_cookie(FLASH_COOKIE, "", 0, https));
    }
    response
}
