//! The reviewer's pages through the real router: in-process requests with a signed-in
//! browser's cookies, and wrk against the app served on 127.0.0.1 beside axum's
//! hello-world.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::measure::Samples;

/// A browser's cookies and the CSRF token of the last page it loaded.
#[derive(Default)]
pub struct Browser {
    cookies: BTreeMap<String, String>,
    csrf: String,
}

impl Browser {
    /// Returns the `Cookie` header this browser sends.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Sends one request as `browser`, keeps the cookies it sets, and returns the status, the
/// `Location` header and the body.
pub async fn send(
    app: &Router,
    browser: &mut Browser,
    method: Method,
    path: &str,
    form: Option<&[(&str, &str)]>,
) -> anyhow::Result<(StatusCode, Option<String>, String)> {
    let mut builder = Request::builder().method(method).uri(path);
    if !browser.cookies.is_empty() {
        builder = builder.header(header::COOKIE, browser.cookie_header());
    }
    let body = match form {
        Some(fields) => {
            builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            let mut all = fields.to_vec();
            all.push(("_csrf", &browser.csrf));
            Body::from(serde_urlencoded::to_string(&all)?)
        }
        None => Body::empty(),
    };
    let response = app.clone().oneshot(builder.body(body)?).await?;
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    for cookie in response.headers().get_all(header::SET_COOKIE) {
        let cookie = cookie.to_str().unwrap_or_default();
        let pair = cookie.split(';').next().unwrap_or_default();
        if let Some((name, value)) = pair.split_once('=') {
            if value.is_empty() || cookie.contains("Max-Age=0") {
                browser.cookies.remove(name);
            } else {
                browser.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }
    let bytes = response.into_body().collect().await?.to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let marker = "name=\"csrf-token\" content=\"";
    if let Some(start) = text.find(marker).map(|at| at + marker.len())
        && let Some(end) = text[start..].find('"')
    {
        browser.csrf = text[start..start + end].to_owned();
    }
    Ok((status, location, text))
}

/// Signs in through the sign-in form and returns the signed-in browser.
pub async fn sign_in(app: &Router, staff_id: &str, password: &str) -> anyhow::Result<Browser> {
    let mut browser = Browser::default();
    send(app, &mut browser, Method::GET, "/login", None).await?;
    let fields = [("staff_id", staff_id), ("password", password)];
    let (status, location, body) =
        send(app, &mut browser, Method::POST, "/login", Some(&fields)).await?;
    anyhow::ensure!(
        status == StatusCode::SEE_OTHER,
        "sign-in of {staff_id} failed with {status}: {body}"
    );
    let landing = location.unwrap_or_else(|| "/".to_owned());
    send(app, &mut browser, Method::GET, &landing, None).await?;
    Ok(browser)
}

/// Requests each path in turn, after two unmeasured warm-up requests, and returns the
/// latency of every measured request. Any status other than 200 is an error.
pub async fn time_pages(
    app: &Router,
    browser: &mut Browser,
    paths: &[String],
) -> anyhow::Result<Samples> {
    let mut samples = Samples::default();
    for (index, path) in paths.iter().enumerate() {
        let started = Instant::now();
        let (status, _, body) = send(app, browser, Method::GET, path, None).await?;
        let elapsed = started.elapsed();
        anyhow::ensure!(
            status == StatusCode::OK,
            "GET {path} returned {status}: {}",
            body.chars().take(300).collect::<String>()
        );
        if index >= 2 {
            samples.push(elapsed);
        }
    }
    Ok(samples)
}

/// The figures of one wrk run.
#[derive(Debug, Clone)]
pub struct WrkResult {
    pub requests_per_second: f64,
    pub p50: String,
    pub p99: String,
    pub non_2xx: u64,
    /// wrk's "Socket errors" line, e.g. "connect 0, read 0, write 0, timeout 12".
    pub socket_errors: Option<String>,
}

impl WrkResult {
    pub fn summary(&self) -> String {
        let mut text = format!(
            "{:.0} req/s, latency p50 {}, p99 {}",
            self.requests_per_second, self.p50, self.p99
        );
        if self.non_2xx > 0 {
            text.push_str(&format!(", {} non-2xx responses", self.non_2xx));
        }
        if let Some(errors) = &self.socket_errors {
            text.push_str(&format!(", socket errors: {errors}"));
        }
        text
    }
}

/// Runs wrk against `url` on 127.0.0.1 with the given headers and parses its output.
pub async fn run_wrk(
    url: &str,
    headers: &[String],
    seconds: u32,
    connections: u32,
) -> anyhow::Result<WrkResult> {
    anyhow::ensure!(
        url.starts_with("http://127.0.0.1:"),
        "wrk may only target 127.0.0.1, not {url}"
    );
    let mut command = Command::new("wrk");
    command.args([
        "-t2",
        &format!("-c{connections}"),
        &format!("-d{seconds}s"),
        // wrk's default timeout of 2 s would drop the slowest responses from the
        // latency figures and count them only as socket errors.
        "--timeout",
        "30s",
        "--latency",
    ]);
    for value in headers {
        command.args(["-H", value]);
    }
    command.arg(url);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await?
        .context("wrk failed to start; scripts/bench installs it with apt-get")?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    anyhow::ensure!(
        output.status.success(),
        "wrk failed: {text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |prefix: &str| {
        text.lines()
            .find_map(|line| line.trim().strip_prefix(prefix).map(str::trim))
            .map(str::to_owned)
    };
    let requests_per_second = field("Requests/sec:")
        .and_then(|value| value.parse().ok())
        .with_context(|| format!("wrk printed no Requests/sec: {text}"))?;
    let non_2xx = field("Non-2xx or 3xx responses:")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    Ok(WrkResult {
        requests_per_second,
        p50: field("50%").unwrap_or_default(),
        p99: field("99%").unwrap_or_default(),
        non_2xx,
        socket_errors: field("Socket errors:"),
    })
}

/// Serves axum's hello-world on 127.0.0.1 and returns its URL and the server task.
pub async fn serve_hello_world() -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    let app = Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((url, task))
}

/// Serves the real application on 127.0.0.1 and returns its base URL and the server task.
pub async fn serve_app(
    state: xueshi_web::AppState,
) -> anyhow::Result<(String, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let task = tokio::spawn(async move {
        if let Err(error) = xueshi_web::serve(state, listener).await {
            eprintln!("the benchmark's app server stopped: {error:#}");
        }
    });
    Ok((url, task))
}
