//! Request/response plumbing shared by the mode modules: JSON errors, body
//! extraction that never panics, bearer and Accept parsing.

use std::borrow::Cow;

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::http::header::{ACCEPT, AUTHORIZATION, RETRY_AFTER, SET_COOKIE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};

use crate::store::StoreError;
use crate::users::{self, User};

/// Every error body is `{"error": "<code>", "message": "<text>"}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: Cow<'static, str>,
    bearer_challenge: bool,
    /// Seconds for `Retry-After` (429).
    retry_after: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            bearer_challenge: false,
            retry_after: None,
        }
    }

    pub(crate) fn invalid_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    pub(crate) fn invalid_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "unknown user or wrong password",
        )
    }

    pub(crate) fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "sign in first")
    }

    pub(crate) fn invalid_grant(message: &'static str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_grant", message)
    }

    pub(crate) fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "CSRF token missing or not the one issued to this session",
        )
    }

    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the lab hit an internal error",
        )
    }

    /// The account is locked after too many failed logins.
    pub(crate) fn too_many_attempts(retry_after_secs: u64) -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("too many failed logins for this account; retry in {retry_after_secs} s"),
        );
        error.retry_after = Some(retry_after_secs);
        error
    }

    /// RFC 6750 challenge, for the bearer-token modes.
    pub(crate) fn with_bearer_challenge(mut self) -> Self {
        self.bearer_challenge = true;
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code, "message": self.message });
        let mut response = (self.status, Json(body)).into_response();
        if self.bearer_challenge {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        // Store errors carry SQL text or Redis error kinds, never bound values or keys'
        // credentials (keys are digests): safe to log.
        tracing::error!(%error, "lab store failed");
        Self::internal()
    }
}

impl From<jsonwebtoken::errors::Error> for ApiError {
    fn from(error: jsonwebtoken::errors::Error) -> Self {
        tracing::error!(%error, "signing an access token failed");
        Self::internal()
    }
}

fn rejected(status: StatusCode, detail: String) -> ApiError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(status, "payload_too_large", "request body exceeds 64 KiB")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::new(status, "unsupported_media_type", detail)
        }
        _ => ApiError::invalid_request(detail),
    }
}

pub(crate) fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(value)| value)
        .map_err(|r| rejected(r.status(), r.body_text()))
}

pub(crate) fn form_body<T>(body: Result<Form<T>, FormRejection>) -> Result<T, ApiError> {
    body.map(|Form(value)| value)
        .map_err(|r| rejected(r.status(), r.body_text()))
}

/// The token of `Authorization: Bearer <token>` (scheme is case-insensitive).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Browsers posting the HTML form get HTML errors; tools get JSON.
pub(crate) fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Argon2 verification is deliberately slow: keep it off the async workers.
pub(crate) async fn authenticate(
    identifier: String,
    password: String,
) -> Result<Option<&'static User>, ApiError> {
    tokio::task::spawn_blocking(move || users::authenticate(&identifier, &password))
        .await
        .map_err(|error| {
            tracing::error!(%error, "password check task failed");
            ApiError::internal()
        })
}

/// Finish a handler: errors become JSON, then cache headers go on either way.
pub(crate) fn finish(
    lab: &crate::state::Lab,
    issues_credentials: bool,
    result: Result<Response, ApiError>,
) -> Response {
    let mut response = result.unwrap_or_else(IntoResponse::into_response);
    lab.cache_headers(&mut response, issues_credentials);
    response
}

pub(crate) fn append_cookie(response: &mut Response, cookie: String) -> Result<(), ApiError> {
    let value = HeaderValue::try_from(cookie).map_err(|_| ApiError::internal())?;
    response.headers_mut().append(SET_COOKIE, value);
    Ok(())
}
