//! A test client over the real router and a real database, with a cookie jar, so tests
//! sign in and submit forms the way a browser does.

#![allow(dead_code)]

pub mod school;

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use xueshi_core::{Role, RoleKind, StaffId};
use xueshi_store::Db;
use xueshi_store::people::{self, PersonFields};
use xueshi_store::testing::TestDb;
use xueshi_web::{AppState, Config};

/// The password every person created by [`TestApp::person`] has.
pub const PASSWORD: &str = "Teach2025ok";

pub struct TestApp {
    pub app: Router,
    pub db: Db,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

/// A browser: its cookies and the CSRF token its last page carried.
#[derive(Clone, Debug, Default)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
    pub csrf: String,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn location(&self) -> Option<String> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }
}

/// Finds the CSRF token a page carries in its `<meta name="csrf-token">`.
fn csrf_from_page(body: &str) -> Option<String> {
    let marker = "name=\"csrf-token\" content=\"";
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}

impl TestApp {
    pub async fn new(test_db: &TestDb) -> Self {
        Self::with_config(test_db, |_| {}).await
    }

    pub async fn with_config(test_db: &TestDb, adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_data_dir(dir.path().to_path_buf());
        config.database_url = test_db.url.clone();
        adjust(&mut config);
        let state = AppState::new(test_db.db.clone(), config).unwrap();
        xueshi_web::bootstrap::seed_reference_data(&test_db.db)
            .await
            .unwrap();
        Self {
            app: xueshi_web::build_app(state.clone()),
            db: test_db.db.clone(),
            state,
            _dir: dir,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> TestResponse {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// Sends a request as `browser`, keeping the cookies and CSRF token it gets back.
    pub async fn request(
        &self,
        browser: &mut Browser,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Body,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(path);
        if !browser.cookies.is_empty() {
            let cookie = browser
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            builder = builder.header(header::COOKIE, cookie);
        }
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        let response = self.send(builder.body(body).unwrap()).await;
        for cookie in response.set_cookies() {
            let pair = cookie.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || cookie.contains("Max-Age=0") {
                    browser.cookies.remove(name);
                } else {
                    browser.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        if let Some(token) = csrf_from_page(&response.text()) {
            browser.csrf = token;
        }
        response
    }

    pub async fn get(&self, browser: &mut Browser, path: &str) -> TestResponse {
        self.request(browser, Method::GET, path, None, Body::empty())
            .await
    }

    /// Posts a URL-encoded form with the browser's CSRF token added.
    pub async fn post_form(
        &self,
        browser: &mut Browser,
        path: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = browser.csrf.clone();
        all.push(("_csrf", &csrf));
        let body = serde_urlencoded::to_string(&all).unwrap();
        self.request(
            browser,
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            Body::from(body),
        )
        .await
    }

    /// Posts a multipart form with one file; the CSRF token goes in the query.
    pub async fn post_file(
        &self,
        browser: &mut Browser,
        path: &str,
        file_name: &str,
        bytes: &[u8],
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let boundary = "xueshi-test-boundary";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let separator = if path.contains('?') { '&' } else { '?' };
        let path = format!("{path}{separator}_csrf={}", browser.csrf);
        self.request(
            browser,
            Method::POST,
            &path,
            Some(&format!("multipart/form-data; boundary={boundary}")),
            Body::from(body),
        )
        .await
    }

    /// A browser that opened the sign-in page, so it holds the anonymous CSRF cookie.
    pub async fn anonymous(&self) -> Browser {
        let mut browser = Browser::default();
        let response = self.get(&mut browser, "/login").await;
        assert_eq!(response.status, StatusCode::OK);
        browser
    }

    /// Signs in through the form and returns the signed-in browser.
    pub async fn sign_in(&self, staff_id: &str, password: &str) -> Browser {
        let mut browser = self.anonymous().await;
        let response = self
            .post_form(
                &mut browser,
                "/login",
                &[("staff_id", staff_id), ("password", password)],
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::SEE_OTHER,
            "sign-in of {staff_id} failed: {}",
            response.text()
        );
        // Load a page to pick up the session's CSRF token.
        let landing = response.location().unwrap_or_else(|| "/".into());
        self.get(&mut browser, &landing).await;
        browser
    }

    /// Creates a person with [`PASSWORD`] (no forced change) and the given roles.
    pub async fn person(
        &self,
        staff_id: &str,
        name: &str,
        unit_id: Option<&str>,
        office_id: Option<&str>,
        roles: &[Role],
    ) -> String {
        let hash = xueshi_web::auth::password::hash(PASSWORD.into())
            .await
            .unwrap();
        let mut conn = self.db.conn().await.unwrap();
        let fields = PersonFields {
            name: name.into(),
            unit_id: unit_id.map(Into::into),
            office_id: office_id.map(Into::into),
            title: String::new(),
        };
        let id = people::create(&mut conn, &StaffId::parse(staff_id).unwrap(), &fields)
            .await
            .unwrap();
        people::set_password_hash(&mut conn, &id, &hash, false)
            .await
            .unwrap();
        for role in roles {
            people::grant(&mut conn, &id, role).await.unwrap();
        }
        id
    }

    /// Creates a center administrator `admin1` and returns a browser signed in as them.
    pub async fn admin(&self) -> Browser {
        self.person(
            "admin1",
            "管理员甲",
            None,
            None,
            &[Role::unscoped(RoleKind::CenterAdmin)],
        )
        .await;
        self.sign_in("admin1", PASSWORD).await
    }
}
