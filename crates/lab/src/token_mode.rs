//! Modes `jwt` and `hybrid`: a stateless access JWT plus opaque refresh tokens in
//! families (one per login). They differ only in where the refresh token travels:
//! JSON body (`jwt`) or an HttpOnly cookie scoped to /api/auth (`hybrid`).

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::config::{Flaw, Mode};
use crate::cookies::CookieKind;
use crate::http::{self, ApiError};
use crate::secrets::digest;
use crate::state::{Lab, Shared};
use crate::store::{self, Refreshed};

pub(crate) fn routes(mode: Mode) -> Router<Shared> {
    let common = Router::new()
        .route("/api/login", post(login))
        .route("/api/me", get(me));
    match mode {
        Mode::Jwt => common
            .route("/api/refresh", post(body_refresh))
            .route("/api/logout", post(body_logout)),
        Mode::Hybrid => common
            .route("/api/auth/refresh", post(cookie_refresh))
            .route("/api/auth/logout", post(cookie_logout)),
        Mode::Session => common,
    }
}

#[derive(Deserialize)]
struct LoginBody {
    email: Option<String>,
    username: Option<String>,
    password: String,
}

#[derive(Deserialize)]
struct RefreshBody {
    refresh_token: Option<String>,
}

#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_expires_in: Option<u64>,
}

/// A successful login or refresh, before it is put on the wire.
struct Grant {
    access_token: String,
    refresh_token: String,
    /// Seconds left in the family's absolute lifetime.
    refresh_expires_in: u64,
}

impl Grant {
    /// `jwt` carries the refresh token in JSON; `hybrid` in a cookie instead.
    fn into_response(self, lab: &Lab) -> Result<Response, ApiError> {
        let in_body = lab.mode == Mode::Jwt;
        let body = TokenResponse {
            access_token: self.access_token,
            token_type: "Bearer",
            expires_in: lab.access.lifetime_secs(),
            refresh_token: in_body.then(|| self.refresh_token.clone()),
            refresh_expires_in: in_body.then_some(self.refresh_expires_in),
        };
        let mut response = Json(body).into_response();
        if !in_body {
            let cookie = CookieKind::Refresh.set(
                &lab.flaws,
                &self.refresh_token,
                Some(self.refresh_expires_in),
            );
            http::append_cookie(&mut response, cookie)?;
        }
        Ok(response)
    }
}

async fn login(
    State(lab): State<Shared>,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Response {
    let result = async {
        let body = http::json_body(body)?;
        let Some(identifier) = body.username.or(body.email) else {
            return Err(ApiError::invalid_request("give `email` or `username`"));
        };
        let account = lab
            .admit_login(&identifier)
            .map_err(ApiError::too_many_attempts)?;
        let Some(user) = http::authenticate(identifier, body.password).await? else {
            return Err(ApiError::invalid_credentials());
        };
        lab.login_succeeded(account.as_deref());
        let refresh_token = lab.new_credential();
        let lifetime = lab.lifetimes.refresh_secs;
        let expires_at = store::ms_from_now(lifetime);
        lab.store
            .create_family(user.username, expires_at, digest(&refresh_token))
            .await?;
        tracing::info!(user = user.username, mode = %lab.mode, "token login");
        Grant {
            access_token: lab.access.issue(user.username)?,
            refresh_token,
            refresh_expires_in: lifetime,
        }
        .into_response(&lab)
    }
    .await;
    http::finish(&lab, true, result)
}

async fn me(State(lab): State<Shared>, headers: HeaderMap) -> Response {
    let user = http::bearer(&headers)
        .and_then(|token| lab.access.verify(token))
        .and_then(|name| crate::users::by_username(&name));
    let result = match user {
        Some(user) => Ok(Json(serde_json::json!({ "user": user.username })).into_response()),
        None => Err(ApiError::unauthenticated().with_bearer_challenge()),
    };
    http::finish(&lab, false, result)
}

/// The refresh rules, written once for both modes: rotate on every use, treat a
/// second use of a rotated token as theft and kill its family. Flaws weaken this.
async fn redeem(lab: &Lab, presented: Option<String>) -> Result<Grant, ApiError> {
    let Some(presented) = presented.filter(|t| !t.is_empty()) else {
        return Err(ApiError::invalid_grant("no refresh token presented"));
    };
    let next = if lab.has(Flaw::NoRotation) {
        presented.clone()
    } else {
        lab.new_credential()
    };
    let replacement = (next != presented).then(|| digest(&next));
    let revoke_on_reuse = !lab.has(Flaw::NoReuseDetection);
    match lab
        .store
        .refresh(digest(&presented), replacement, revoke_on_reuse)
        .await?
    {
        Refreshed::Granted {
            username,
            family_expires_at,
            ..
        } => {
            let left_ms = family_expires_at.saturating_sub(store::now_ms()).max(0);
            Ok(Grant {
                access_token: lab.access.issue(&username)?,
                refresh_token: next,
                refresh_expires_in: u64::try_from(left_ms / 1000).unwrap_or(0),
            })
        }
        Refreshed::Reused => {
            // Expected in every rotation scenario: a lab event, not a warning about the lab.
            tracing::info!(
                family_revoked = revoke_on_reuse,
                "refresh token reuse detected"
            );
            Err(ApiError::invalid_grant("refresh token was already used"))
        }
        Refreshed::Invalid => Err(ApiError::invalid_grant(
            "refresh token is unknown, expired or revoked",
        )),
    }
}

async fn body_refresh(
    State(lab): State<Shared>,
    body: Result<Json<RefreshBody>, JsonRejection>,
) -> Response {
    let result = async {
        let body = http::json_body(body)?;
        redeem(&lab, body.refresh_token).await?.into_response(&lab)
    }
    .await;
    http::finish(&lab, true, result)
}

async fn cookie_refresh(State(lab): State<Shared>, headers: HeaderMap) -> Response {
    let result = async {
        let presented = CookieKind::Refresh.read(&lab.flaws, &headers);
        redeem(&lab, presented).await?.into_response(&lab)
    }
    .await;
    http::finish(&lab, true, result)
}

/// Logout revokes the whole family (unless logout-keeps-session; with slow-revocation it
/// takes effect after the delay). Unknown tokens still
/// get 200, as in RFC 7009: the caller's goal, "this token is dead", holds either way.
async fn revoke(lab: &Lab, token: Option<String>) -> Result<(), ApiError> {
    if let Some(token) = token.filter(|t| !t.is_empty())
        && !lab.has(Flaw::LogoutKeepsSession)
    {
        lab.store.revoke_family_of(digest(&token)).await?;
    }
    Ok(())
}

fn ok() -> Response {
    Json(serde_json::json!({ "ok": true })).into_response()
}

async fn body_logout(
    State(lab): State<Shared>,
    body: Result<Json<RefreshBody>, JsonRejection>,
) -> Response {
    let result = async {
        let body = http::json_body(body)?;
        if body.refresh_token.as_deref().is_none_or(str::is_empty) {
            return Err(ApiError::invalid_request("`refresh_token` is required"));
        }
        revoke(&lab, body.refresh_token).await?;
        Ok(ok())
    }
    .await;
    http::finish(&lab, false, result)
}

async fn cookie_logout(State(lab): State<Shared>, headers: HeaderMap) -> Response {
    let result = async {
        revoke(&lab, CookieKind::Refresh.read(&lab.flaws, &headers)).await?;
        let mut response = ok();
        http::append_cookie(&mut response, CookieKind::Refresh.clear(&lab.flaws))?;
        Ok(response)
    }
    .await;
    http::finish(&lab, false, result)
}
