//! One error type for every handler, turned into a Chinese HTML page or a JSON body.
//!
//! A handler returns `AppError`; its `IntoResponse` sets the status and attaches an
//! [`ErrorReport`] extension. The `render_errors` middleware, which knows whether the
//! request was for a page or for the API, then writes the body. Internal errors are
//! logged once here and shown to the user only as a generic message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xueshi_core::ParseError;
use xueshi_store::StoreError;

/// A field-level validation message for forms and the API.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    Unauthorized,
    #[error("wrong staff ID or password")]
    BadCredentials,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("invalid input: {0}")]
    BadRequest(String),
    #[error("invalid fields")]
    Invalid {
        message: String,
        fields: Vec<FieldError>,
    },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("payload too large: {0}")]
    TooLarge(String),
    #[error("too many attempts: {0}")]
    TooManyRequests(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The status, stable code and Chinese message of an error response, before rendering.
#[derive(Debug, Clone)]
pub struct ErrorReport {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl AppError {
    pub fn forbidden() -> Self {
        AppError::Forbidden("您没有权限访问此页面或执行此操作。".into())
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid {
            message: message.into(),
            fields: Vec::new(),
        }
    }

    fn report(&self) -> ErrorReport {
        let (status, code, message) = match self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "您要找的内容不存在，可能已被删除或链接有误。".to_owned(),
            ),
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "请先登录，或在请求头中提供有效的令牌。".to_owned(),
            ),
            AppError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "工号或密码不正确。".to_owned(),
            ),
            AppError::Forbidden(message) => (StatusCode::FORBIDDEN, "forbidden", message.clone()),
            AppError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "bad_request", message.clone())
            }
            AppError::Invalid { message, .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid", message.clone())
            }
            AppError::Conflict(message) => (StatusCode::CONFLICT, "conflict", message.clone()),
            AppError::TooLarge(message) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_large", message.clone())
            }
            AppError::TooManyRequests(message) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                message.clone(),
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器内部错误，操作未完成。请稍后重试；如果问题持续，请联系系统管理员。"
                    .to_owned(),
            ),
        };
        let fields = match self {
            AppError::Invalid { fields, .. } => fields.clone(),
            _ => Vec::new(),
        };
        ErrorReport {
            status,
            code,
            message,
            fields,
        }
    }
}

impl AppError {
    /// The message of an error the person can fix (invalid input, a conflict, a refused
    /// action), for showing beside a form; `None` for errors that need the error page.
    pub fn user_message(&self) -> Option<String> {
        match self {
            AppError::BadRequest(message)
            | AppError::Invalid { message, .. }
            | AppError::Conflict(message)
            | AppError::Forbidden(message)
            | AppError::TooLarge(message) => Some(message.clone()),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(error) = &self {
            tracing::error!(error = format!("{error:#}"), "request failed");
        }
        let report = self.report();
        // A plain-text body in case no renderer replaces it; `render_errors` does for
        // pages and the API.
        let mut response = (report.status, report.message.clone()).into_response();
        response.extensions_mut().insert(report);
        response
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict => {
                AppError::Conflict("该记录已被他人修改，请刷新页面后重试。".into())
            }
            StoreError::Unique(_) => AppError::Conflict("已存在同名或相同编号的记录。".into()),
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<ParseError> for AppError {
    fn from(error: ParseError) -> Self {
        AppError::Invalid {
            message: error.message.clone(),
            fields: vec![FieldError {
                field: error.field.to_owned(),
                message: error.message,
            }],
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
