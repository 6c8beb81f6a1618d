//! The public face of the signing keys (jwt and hybrid modes): the JWKS, an OpenID-style
//! discovery document pointing at it, and the current public key as PEM. All public and
//! cacheable: unlike credential responses they are meant to be cached.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::http::ApiError;
use crate::jwt::AUDIENCE;
use crate::state::Shared;

pub(crate) const JWKS: &str = "/.well-known/jwks.json";
pub(crate) const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
pub(crate) const PUBLIC_KEY_PEM: &str = "/.well-known/public-key.pem";
const CACHEABLE: &str = "public, max-age=300";

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route(JWKS, get(jwks))
        .route(OPENID_CONFIGURATION, get(openid_configuration))
        .route(PUBLIC_KEY_PEM, get(public_key_pem))
}

fn cacheable(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(CACHEABLE));
    response
}

/// Current and previous public keys; `{"keys": []}` for HS256.
async fn jwks(State(lab): State<Shared>) -> Response {
    cacheable(Json(lab.access.keys().jwks()))
}

/// `issuer` is the `iss` of the lab's tokens (replica 1's URL, shared by all replicas);
/// the URLs are this replica's own.
async fn openid_configuration(State(lab): State<Shared>) -> Response {
    let base = &lab.base_url;
    let refresh = match lab.mode {
        crate::config::Mode::Hybrid => "/api/auth/refresh",
        _ => "/api/refresh",
    };
    cacheable(Json(json!({
        "issuer": lab.access.issuer(),
        "jwks_uri": format!("{base}{JWKS}"),
        "token_endpoint": format!("{base}{refresh}"),
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [lab.access.keys().signing().alg()],
        "claims_supported": ["iss", "aud", "sub", "iat", "nbf", "exp", "jti"],
        "authlens_lab": {
            "audience": AUDIENCE,
            "login_endpoint": format!("{base}/api/login"),
            "userinfo_endpoint": format!("{base}/api/me"),
            "public_key_pem": format!("{base}{PUBLIC_KEY_PEM}"),
        },
    })))
}

/// The current key's SubjectPublicKeyInfo PEM; 404 for HS256 (there is no public key).
async fn public_key_pem(State(lab): State<Shared>) -> Response {
    match &lab.access.keys().current().public {
        Some(public) => cacheable((
            [(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-pem-file"),
            )],
            public.pem.clone(),
        )),
        None => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "HS256 signing has no public key",
        )
        .into_response(),
    }
}
