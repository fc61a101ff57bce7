//! Request extractors whose rejections are Chinese messages rendered like every other
//! error, instead of axum's English plain text.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;

use crate::error::AppError;

/// A URL-encoded form body.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(error) => {
                tracing::debug!(error = %error.body_text(), "form rejected");
                Err(AppError::invalid(
                    "提交的表单内容不完整或格式不正确，请刷新页面后重新填写。",
                ))
            }
        }
    }
}

/// A query string.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(error) => {
                tracing::debug!(error = %error.body_text(), "query rejected");
                Err(AppError::BadRequest(
                    "链接中的参数格式不正确，请从页面上的链接或按钮进入。".into(),
                ))
            }
        }
    }
}

/// A multipart form (file uploads).
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Multipart::from_request(request, state).await {
            Ok(multipart) => Ok(Multipart(multipart)),
            Err(_) => Err(AppError::BadRequest(
                "请以文件上传表单（multipart/form-data）提交，并选择要上传的文件。".into(),
            )),
        }
    }
}
