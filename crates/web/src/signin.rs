//! Signing in and out, and changing one's own password.

use crate::extract::Form;
use crate::extract::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use xueshi_core::StaffId;
use xueshi_store::audit::{self, Actor, AuditEntry};
use xueshi_store::auth::{self as store_auth, ThrottleLimit};
use xueshi_store::{now_ms, people};

use crate::AppState;
use crate::access::{Access, Route};
use crate::auth::{
    AuthVia, ClientInfo, CurrentUser, MaybeUser, SESSION_COOKIE, password, set_cookie, token,
};
use crate::error::{AppError, AppResult};
use crate::page::{FlashKind, Page, redirect_with_flash};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/login", Access::Public, get(login_page)),
        Route::post("/login", Access::Public, post(login)),
        Route::post("/logout", Access::SignedInAny, post(logout)),
        Route::get("/password", Access::SignedInAny, get(password_page)),
        Route::post("/password", Access::SignedInAny, post(change_password)),
    ]
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    staff_id: String,
    next: String,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    expired: Option<String>,
}

async fn login_page(page: Page, user: MaybeUser, Query(query): Query<LoginQuery>) -> Response {
    if user.0.is_some() {
        return Redirect::to(safe_next(&query.next)).into_response();
    }
    let error = query
        .expired
        .map(|_| "登录已过期或尚未登录，请重新登录后再操作。".to_owned());
    LoginPage {
        page: page.titled("登录"),
        staff_id: String::new(),
        next: query.next,
        error,
    }
    .into_response()
}

/// Accepts only local paths as the place to go after sign-in, never another site.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

#[derive(serde::Deserialize)]
struct LoginForm {
    staff_id: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// The reason a sign-in failed, with the message shown to the person.
#[derive(Debug)]
pub enum SignInError {
    Invalid,
    Locked { minutes: i64 },
    Internal(anyhow::Error),
}

impl SignInError {
    pub fn message(&self) -> String {
        match self {
            SignInError::Invalid => "工号或密码不正确，请重新输入。".into(),
            SignInError::Locked { minutes } => {
                format!(
                    "登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试，或联系管理员重置密码。"
                )
            }
            SignInError::Internal(_) => "登录暂时无法完成，请稍后重试。".into(),
        }
    }
}

impl From<SignInError> for AppError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::Invalid => AppError::BadCredentials,
            SignInError::Locked { .. } => AppError::TooManyRequests(error.message()),
            SignInError::Internal(error) => AppError::Internal(error),
        }
    }
}

impl From<xueshi_store::StoreError> for SignInError {
    fn from(error: xueshi_store::StoreError) -> Self {
        SignInError::Internal(error.into())
    }
}

/// Checks a staff ID and password, counting failures per account and per address.
/// Returns the person's id.
pub async fn authenticate(
    state: &AppState,
    staff_id: &str,
    secret: &str,
    ip: &str,
) -> Result<String, SignInError> {
    let config = &state.config;
    let mut conn = state.db.conn().await?;
    let conn = &mut *conn;
    let now = now_ms();
    let lock_ms = config.lockout_minutes * 60_000;
    let account_limit = ThrottleLimit {
        max_failures: config.lockout_attempts,
        window_ms: lock_ms,
        lock_ms,
    };
    let ip_limit = ThrottleLimit {
        max_failures: config.ip_lockout_attempts,
        window_ms: lock_ms,
        lock_ms,
    };

    let staff_id = StaffId::parse(staff_id).ok();
    let account_key = format!(
        "account:{}",
        staff_id.as_ref().map(StaffId::as_str).unwrap_or("")
    );
    let ip_key = format!("ip:{ip}");
    for key in [&account_key, &ip_key] {
        if let Some(until) = store_auth::locked_until(conn, key, now).await? {
            return Err(SignInError::Locked {
                minutes: minutes_left(until, now),
            });
        }
    }

    let credentials = match &staff_id {
        Some(staff_id) => people::credentials(conn, staff_id).await?,
        None => None,
    };
    let stored = credentials
        .as_ref()
        .filter(|c| c.active)
        .and_then(|c| c.password_hash.clone());
    let verified = password::verify(secret.to_owned(), stored)
        .await
        .map_err(SignInError::Internal)?;
    if let (true, Some(credentials)) = (verified, credentials) {
        store_auth::clear_failures(conn, &account_key).await?;
        return Ok(credentials.person_id);
    }

    tracing::info!("sign-in failed");
    let account_lock = match staff_id {
        Some(_) => store_auth::record_failure(conn, &account_key, now, account_limit).await?,
        None => None,
    };
    let ip_lock = store_auth::record_failure(conn, &ip_key, now, ip_limit).await?;
    match account_lock.or(ip_lock) {
        Some(until) => Err(SignInError::Locked {
            minutes: minutes_left(until, now),
        }),
        None => Err(SignInError::Invalid),
    }
}

fn minutes_left(until: i64, now: i64) -> i64 {
    ((until - now) + 59_999) / 60_000
}

async fn login(
    State(state): State<AppState>,
    page: Page,
    client: ClientInfo,
    Form(form): Form<LoginForm>,
) -> Response {
    match authenticate(&state, &form.staff_id, &form.password, &client.ip).await {
        Ok(person_id) => match signed_in_redirect(&state, &person_id, &client, &form.next).await {
            Ok(response) => response,
            Err(error) => error.into_response(),
        },
        Err(SignInError::Internal(error)) => AppError::Internal(error).into_response(),
        Err(error) => {
            let status = match error {
                SignInError::Locked { .. } => axum::http::StatusCode::TOO_MANY_REQUESTS,
                _ => axum::http::StatusCode::UNAUTHORIZED,
            };
            let template = LoginPage {
                page: page.titled("登录"),
                staff_id: form.staff_id,
                next: form.next,
                error: Some(error.message()),
            };
            (status, template).into_response()
        }
    }
}

/// Starts a session and sends the browser on: to the password page when the password
/// must change first, else to `next`.
async fn signed_in_redirect(
    state: &AppState,
    person_id: &str,
    client: &ClientInfo,
    next: &str,
) -> AppResult<Response> {
    let cookie = start_session(state, person_id, client).await?;
    let person = people::get(&mut *state.db.conn().await?, person_id).await?;
    let location = if person.must_change_password {
        "/password"
    } else {
        safe_next(next)
    };
    let mut response = Redirect::to(location).into_response();
    response.headers_mut().append(SET_COOKIE, cookie);
    Ok(response)
}

/// Creates a session and returns its cookie.
async fn start_session(
    state: &AppState,
    person_id: &str,
    client: &ClientInfo,
) -> AppResult<axum::http::HeaderValue> {
    let secret = token::random_token();
    let csrf = token::random_token();
    let ttl_ms = state.config.session_idle_hours * 3_600_000;
    store_auth::create_session(
        &mut *state.db.conn().await?,
        &token::hash_token(&secret),
        person_id,
        &csrf,
        now_ms() + ttl_ms,
    )
    .await?;
    Ok(set_cookie(
        SESSION_COOKIE,
        &secret,
        ttl_ms / 1000,
        client.https,
    ))
}

async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
) -> AppResult<Response> {
    if let AuthVia::Session { token_hash, .. } = &user.via {
        store_auth::delete_session(&mut *state.db.conn().await?, token_hash).await?;
    }
    let mut response = redirect_with_flash("/login", FlashKind::Success, "您已安全退出。");
    response
        .headers_mut()
        .append(SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0, client.https));
    Ok(response)
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordPage {
    page: Page,
    forced: bool,
    error: Option<String>,
}

async fn password_page(page: Page, user: CurrentUser) -> PasswordPage {
    PasswordPage {
        page: page.titled("修改密码"),
        forced: user.must_change_password,
        error: None,
    }
}

#[derive(serde::Deserialize)]
struct PasswordForm {
    current: String,
    new_password: String,
    confirm: String,
}

async fn change_password(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Form(form): Form<PasswordForm>,
) -> Response {
    let rejected = |message: String| {
        let template = PasswordPage {
            page: page.clone().titled("修改密码"),
            forced: user.must_change_password,
            error: Some(message),
        };
        (axum::http::StatusCode::UNPROCESSABLE_ENTITY, template).into_response()
    };
    if form.current.is_empty() {
        return rejected("请输入当前密码。".into());
    }
    if form.new_password.is_empty() {
        return rejected("请输入新密码。".into());
    }
    if form.new_password != form.confirm {
        return rejected("两次输入的新密码不一致，请重新输入。".into());
    }
    if form.new_password == form.current {
        return rejected("新密码不能与当前密码相同。".into());
    }
    if let Err(AppError::Invalid { message, .. }) =
        password::check_policy(&form.new_password, &user.staff_id)
    {
        return rejected(message);
    }
    match authenticate(&state, &user.staff_id, &form.current, &client.ip).await {
        Ok(_) => {}
        Err(SignInError::Invalid) => return rejected("当前密码不正确。".into()),
        Err(SignInError::Internal(error)) => return AppError::Internal(error).into_response(),
        Err(error) => return rejected(error.message()),
    }
    let result = async {
        let hash = password::hash(form.new_password.clone()).await?;
        people::set_password_hash(&mut *state.db.conn().await?, &user.person_id, &hash, false)
            .await?;
        let entry = AuditEntry {
            entity: "person",
            entity_id: &user.person_id,
            action: "change_password",
            ..Default::default()
        };
        audit::append(
            &mut *state.db.conn().await?,
            &Actor::person(&user.person_id, Some(client.ip.clone())),
            &entry,
        )
        .await?;
        // Changing the password ended every session, this one included; start a new one.
        start_session(&state, &user.person_id, &client).await
    }
    .await;
    match result {
        Ok(cookie) => {
            let mut response = redirect_with_flash(
                "/",
                FlashKind::Success,
                "密码已修改。其他设备上的登录已全部退出。",
            );
            response.headers_mut().append(SET_COOKIE, cookie);
            response
        }
        Err(error) => error.into_response(),
    }
}
