//! Set-Cookie parsing and the browser's verdict. STUB: interface fixed, implementation owned by the cookies work.

use crate::model::{CookieInfo, Millis};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CookieError {
    #[error("malformed Set-Cookie header: {0}")]
    Malformed(String),
}

/// Parse one raw Set-Cookie line received in answer to `request_url` at `received_at`.
pub fn parse_set_cookie(_raw: &str, _request_url: &url::Url, _received_at: Millis) -> Result<CookieInfo, CookieError> {
    todo!()
}
