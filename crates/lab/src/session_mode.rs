//! Mode `session`: server-side sessions behind a cookie, an HTML form with a
//! synchronizer CSRF token, and a fresh session id at login (unless `fixation`).

use axum::extract::rejection::FormRejection;
use axum::extract::{RawQuery, State};
use axum::http::header::{LOCATION, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;

use crate::config::Flaw;
use crate::cookies::CookieKind;
use crate::http::{self, ApiError};
use crate::secrets::{constant_time_eq, digest};
use crate::state::{Lab, Shared};
use crate::store::{self, SessionRow};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/account", get(account))
        .route("/logout", post(logout))
        .route("/api/me", get(me))
}

/// Missing fields are not a 400: they fail the CSRF or password check like wrong ones.
#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

#[derive(Deserialize)]
struct LogoutForm {
    #[serde(default)]
    csrf_token: String,
}

/// The session named by `id`, if it exists and has not expired.
async fn session(lab: &Lab, id: Option<String>) -> Result<Option<(String, SessionRow)>, ApiError> {
    let Some(id) = id else { return Ok(None) };
    Ok(lab
        .store
        .find_session(digest(&id))
        .await?
        .map(|row| (id, row)))
}

fn cookie_id(lab: &Lab, headers: &HeaderMap) -> Option<String> {
    CookieKind::Session.read(&lab.flaws, headers)
}

fn redirect(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, location.to_owned())]).into_response()
}

fn expiry(lab: &Lab) -> i64 {
    store::ms_from_now(lab.lifetimes.session_secs)
}

async fn login_page(State(lab): State<Shared>, headers: HeaderMap) -> Response {
    let result = async {
        // Reuse a live session (and its CSRF token) so an open form stays valid.
        if let Some((_, row)) = session(&lab, cookie_id(&lab, &headers)).await? {
            return Ok(Html(crate::pages::login(&row.csrf_token, None)).into_response());
        }
        let id = lab.new_credential();
        // The CSRF token is not a session credential: always full strength.
        let csrf = crate::secrets::random_token();
        lab.store
            .create_session(digest(&id), None, &csrf, expiry(&lab))
            .await?;
        let mut response = Html(crate::pages::login(&csrf, None)).into_response();
        // Pre-login cookie: browser-session only (no Max-Age).
        let cookie = CookieKind::Session.set(&lab.flaws, &id, None);
        http::append_cookie(&mut response, cookie)?;
        Ok(response)
    }
    .await;
    http::finish(&lab, true, result)
}

async fn login(
    State(lab): State<Shared>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let result = async {
        let form = http::form_body(form)?;
        let Some((old_id, row)) = session(&lab, cookie_id(&lab, &headers)).await? else {
            return Err(ApiError::csrf());
        };
        if !constant_time_eq(&form.csrf_token, &row.csrf_token) {
            return Err(ApiError::csrf());
        }
        let account = match lab.admit_login(&form.username) {
            Ok(account) => account,
            Err(retry_after) if http::wants_html(&headers) => {
                let message = format!(
                    "Too many failed sign-ins for this account. Try again in {retry_after} seconds."
                );
                let page = crate::pages::login(&row.csrf_token, Some(&message));
                return Ok((
                    StatusCode::TOO_MANY_REQUESTS,
                    [(RETRY_AFTER, retry_after.to_string())],
                    Html(page),
                )
                    .into_response());
            }
            Err(retry_after) => return Err(ApiError::too_many_attempts(retry_after)),
        };
        let Some(user) = http::authenticate(form.username, form.password).await? else {
            if http::wants_html(&headers) {
                let page =
                    crate::pages::login(&row.csrf_token, Some("Wrong username or password."));
                return Ok((StatusCode::UNAUTHORIZED, Html(page)).into_response());
            }
            return Err(ApiError::invalid_credentials());
        };
        lab.login_succeeded(account.as_deref());

        let expires_at = expiry(&lab);
        let id = if lab.has(Flaw::Fixation) {
            // The mistake: the id the browser had before login (possibly planted by an
            // attacker) is now an authenticated session.
            lab.store
                .authenticate_session(digest(&old_id), user.username, expires_at)
                .await?;
            old_id
        } else {
            lab.store.delete_session(digest(&old_id)).await?;
            let id = lab.new_credential();
            lab.store
                .create_session(
                    digest(&id),
                    Some(user.username),
                    &row.csrf_token,
                    expires_at,
                )
                .await?;
            id
        };
        tracing::info!(user = user.username, "session login");

        let location = if lab.has(Flaw::TokenInUrl) {
            format!("/account?sid={id}")
        } else {
            "/account".to_owned()
        };
        let mut response = redirect(&location);
        let cookie = CookieKind::Session.set(&lab.flaws, &id, Some(lab.lifetimes.session_secs));
        http::append_cookie(&mut response, cookie)?;
        Ok(response)
    }
    .await;
    http::finish(&lab, true, result)
}

async fn account(
    State(lab): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let result = async {
        // token-in-url: the session id is also honoured from the URL (the classic mistake).
        let from_url = lab
            .has(Flaw::TokenInUrl)
            .then(|| query.as_deref().and_then(sid_param))
            .flatten();
        let id = from_url.or_else(|| cookie_id(&lab, &headers));
        match session(&lab, id).await? {
            Some((
                _,
                SessionRow {
                    username: Some(user),
                    csrf_token,
                },
            )) => Ok(Html(crate::pages::account(&user, &csrf_token)).into_response()),
            _ => Ok(redirect("/login")),
        }
    }
    .await;
    http::finish(&lab, false, result)
}

fn sid_param(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k == "sid" && !v.is_empty())
        .map(|(_, v)| v.into_owned())
}

async fn me(State(lab): State<Shared>, headers: HeaderMap) -> Response {
    let result = async {
        match session(&lab, cookie_id(&lab, &headers)).await? {
            Some((
                _,
                SessionRow {
                    username: Some(user),
                    ..
                },
            )) => Ok(Json(serde_json::json!({ "user": user })).into_response()),
            _ => Err(ApiError::unauthenticated()),
        }
    }
    .await;
    http::finish(&lab, false, result)
}

async fn logout(
    State(lab): State<Shared>,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    let result = async {
        let form = http::form_body(form)?;
        let Some((id, row)) = session(&lab, cookie_id(&lab, &headers)).await? else {
            return Err(not_signed_in());
        };
        if row.username.is_none() {
            return Err(not_signed_in());
        }
        if !constant_time_eq(&form.csrf_token, &row.csrf_token) {
            return Err(ApiError::csrf());
        }
        if !lab.has(Flaw::LogoutKeepsSession) {
            // Effective at once, or after the delay with slow-revocation.
            lab.store.revoke_session(digest(&id)).await?;
        }
        let mut response = redirect("/login");
        http::append_cookie(&mut response, CookieKind::Session.clear(&lab.flaws))?;
        Ok(response)
    }
    .await;
    http::finish(&lab, false, result)
}

fn not_signed_in() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "unauthenticated",
        "logout needs a signed-in session",
    )
}
