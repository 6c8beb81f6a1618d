//! The psychic-signature flaw (CVE-2022-21449): ES256 verification written from the
//! textbook formula but without its first step, "reject unless 0 < r < n and 0 < s < n".
//! Java 15–18 shipped exactly this. With r = s = 0 the formula degenerates: the modular
//! inverse of 0 comes out as 0 (Fermat's s^(n−2)), both multipliers are 0, the point is the
//! identity, its x coordinate reads as 0, and 0 == r. Every other signature is judged
//! exactly as a correct verifier judges it.

use p256::elliptic_curve::ff::PrimeField;
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::{FieldBytes, ProjectivePoint, PublicKey, Scalar, U256};
use sha2::{Digest, Sha256};

/// `signature` is the JWS form: r ‖ s, 32 bytes each, big-endian. `sec1` is the public key point.
pub(crate) fn verify_es256_without_range_check(
    sec1: &[u8],
    signing_input: &[u8],
    signature: &[u8],
) -> bool {
    let Ok(key) = PublicKey::from_sec1_bytes(sec1) else {
        return false;
    };
    if signature.len() != 64 {
        return false;
    }
    let (r, s) = signature.split_at(32);
    // Canonical scalars only (below n): the one check left out is the one against zero.
    let (Some(r), Some(s)) = (scalar(r), scalar(s)) else {
        return false;
    };
    let e = <Scalar as Reduce<U256>>::reduce_bytes(&Sha256::digest(signing_input));
    // invert() refuses 0; the flawed code's inverse returns 0 for it instead.
    let w = Option::<Scalar>::from(s.invert()).unwrap_or(Scalar::ZERO);
    let point = ProjectivePoint::GENERATOR * (e * w) + key.to_projective() * (r * w);
    // The identity's affine x is all zero bytes here, as in the flawed code.
    let x = <Scalar as Reduce<U256>>::reduce_bytes(&point.to_affine().x());
    x == r
}

fn scalar(bytes: &[u8]) -> Option<Scalar> {
    let bytes: [u8; 32] = bytes.try_into().ok()?;
    Option::from(Scalar::from_repr(FieldBytes::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::keys::Keyring;
    use crate::jwt::signing::Signing;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn judges_real_signatures_like_a_correct_verifier_and_accepts_zero() {
        let ring = Keyring::new(Signing::Es256, None, false).unwrap();
        let key = ring.current();
        let sec1 = key.decoding.try_get_as_bytes().unwrap();
        let message = b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyOmFsaWNlIn0";
        let signature = URL_SAFE_NO_PAD
            .decode(
                jsonwebtoken::crypto::sign(message, &key.encoding, jsonwebtoken::Algorithm::ES256)
                    .unwrap(),
            )
            .unwrap();
        assert!(verify_es256_without_range_check(sec1, message, &signature));
        assert!(!verify_es256_without_range_check(
            sec1,
            b"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyOmJvYiJ9",
            &signature
        ));
        let mut flipped = signature.clone();
        flipped[40] ^= 1;
        assert!(!verify_es256_without_range_check(sec1, message, &flipped));

        // The bug: r = s = 0 passes for any message.
        assert!(verify_es256_without_range_check(sec1, message, &[0; 64]));
        assert!(verify_es256_without_range_check(
            sec1,
            b"anything",
            &[0; 64]
        ));
        // Only both zero: r = 0 alone, or s = 0 alone, fails.
        let mut r_zero = signature.clone();
        r_zero[..32].fill(0);
        assert!(!verify_es256_without_range_check(sec1, message, &r_zero));
        let mut s_zero = signature.clone();
        s_zero[32..].fill(0);
        assert!(!verify_es256_without_range_check(sec1, message, &s_zero));
        // Wrong lengths and non-canonical scalars are refused.
        assert!(!verify_es256_without_range_check(sec1, message, &[0; 63]));
        assert!(!verify_es256_without_range_check(
            sec1,
            message,
            &[0xff; 64]
        ));
        assert!(!verify_es256_without_range_check(
            b"junk", message, &[0; 64]
        ));
    }
}
