//! Middleware that finishes every response: error bodies in the form the client expects,
//! security headers, and the request span for logs.

use askama::Template;
use axum::extract::{MatchedPath, Request};
use axum::http::header::{CONTENT_TYPE, HeaderValue};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::auth::MaybeUser;
use crate::error::{ErrorReport, FieldError};
use crate::page::Page;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    heading: String,
    message: String,
    fields: Vec<FieldError>,
}

#[derive(Template)]
#[template(path = "error_fragment.html")]
struct ErrorFragment {
    message: String,
    fields: Vec<FieldError>,
}

/// Renders the body of error responses: JSON under `/api/`, a fragment for htmx
/// requests, a full Chinese page otherwise.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let is_htmx = request.headers().contains_key("hx-request");
    let user = request
        .extensions()
        .get::<MaybeUser>()
        .and_then(|u| u.0.clone());
    let path = request.uri().path().to_owned();

    let response = next.run(request).await;
    let Some(report) = response.extensions().get::<ErrorReport>().cloned() else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_TYPE);
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);

    let body = if is_api {
        let json = serde_json::json!({
            "code": report.code,
            "message": report.message,
            "errors": report.fields,
        });
        axum::Json(json).into_response()
    } else if is_htmx {
        let fragment = ErrorFragment {
            message: report.message,
            fields: report.fields,
        };
        Html(fragment.render().unwrap_or_default()).into_response()
    } else {
        let csrf = user
            .as_ref()
            .and_then(|u| u.csrf_token().map(str::to_owned))
            .unwrap_or_default();
        let page = Page {
            title: heading(&report).to_owned(),
            nav: Vec::new(),
            user,
            csrf,
            flash: None,
            path,
        };
        let template = ErrorPage {
            heading: heading(&report).to_owned(),
            page,
            message: report.message,
            fields: report.fields,
        };
        Html(template.render().unwrap_or_default()).into_response()
    };
    let (body_parts, body) = body.into_parts();
    if let Some(content_type) = body_parts.headers.get(CONTENT_TYPE) {
        parts.headers.insert(CONTENT_TYPE, content_type.clone());
    }
    Response::from_parts(parts, body)
}

fn heading(report: &ErrorReport) -> &'static str {
    match report.status.as_u16() {
        401 => "需要登录",
        403 => "无法访问",
        404 => "页面不存在",
        409 => "操作冲突",
        413 => "文件过大",
        422 | 400 => "提交的内容有误",
        429 => "尝试次数过多",
        _ => "出错了",
    }
}

/// Adds the headers every response carries: no MIME sniffing, no framing by other
/// sites, no inline scripts or styles, no referrer to other sites.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("x-frame-options", HeaderValue::from_static("SAMEORIGIN"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; \
             object-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'",
        ),
    );
    if !headers.contains_key("cache-control") {
        headers.insert("cache-control", HeaderValue::from_static("no-store"));
    }
    response
}

/// The span of one request, named by its route template so logs never carry ids,
/// names or query strings.
pub fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    tracing::info_span!("request", method = %request.method(), route = %route)
}
