//! JWT split and decoded by our own code, for display only. STUB.

use crate::model::DecodedJwt;

/// Whether a string has the shape of a compact JWS (three base64url segments).
pub fn looks_like_jwt(_s: &str) -> bool {
    todo!()
}

/// Decode for display. None when the value is not JWT-shaped; otherwise never fails: problems are listed.
pub fn decode(_token: &str) -> Option<DecodedJwt> {
    todo!()
}
