//! JWT split and decoded by our own code, for display only (never verified here).
//!
//! `jsonwebtoken` refuses `alg: none` and unknown algorithms even to read a header, and those are exactly the
//! tokens worth showing, so the split and base64url decoding are ours. Every step is linear in the input and
//! nothing panics: what cannot be decoded is described in [`DecodedJwt::problems`].

use std::collections::HashSet;

use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::model::DecodedJwt;

/// Decoded segments larger than this are not parsed for display.
pub const DISPLAY_CAP: usize = 64 * 1024;

/// Duplicate claim names listed at most.
const MAX_DUPLICATES_LISTED: usize = 8;

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);

/// Whether a string has the shape of a compact JWS (three base64url segments) or JWE (five): base64url
/// characters only and a first segment that decodes to a JSON object.
pub fn looks_like_jwt(s: &str) -> bool {
    let s = s.trim();
    let dots = s.bytes().filter(|&b| b == b'.').count();
    (dots == 2 || dots == 4)
        && s.bytes()
            .all(|b| b == b'.' || b == b'=' || b == b'-' || b == b'_' || b.is_ascii_alphanumeric())
        && header_opens_an_object(s.split('.').next().unwrap_or(""))
}

/// Decode for display. None when the value is not JWT-shaped; otherwise never fails: problems are listed.
///
/// The gate is looser than [`looks_like_jwt`] (only the segment count and the header are required), so a token
/// with a broken payload or signature is still shown with its problem named.
pub fn decode(token: &str) -> Option<DecodedJwt> {
    let token = token.trim();
    let dots = token.bytes().filter(|&b| b == b'.').count();
    if dots != 2 && dots != 4 {
        return None;
    }
    let segments: Vec<&str> = token.split('.').collect();
    if !header_opens_an_object(segments[0]) {
        return None;
    }

    let mut problems = Vec::new();
    let header = decode_segment(1, segments[0], &mut problems)
        .and_then(|b| parse_json("header", &b, &mut problems));
    let mut claims = None;
    let mut signature_len = 0;
    if segments.len() == 5 {
        problems.push("encrypted token (JWE, 5 segments): only the header can be read".to_string());
    } else {
        claims = decode_segment(2, segments[1], &mut problems)
            .and_then(|b| parse_json("claims", &b, &mut problems));
        if !segments[2].is_empty() {
            match URL_SAFE
                .decode(segments[2])
                .or_else(|_| STANDARD.decode(segments[2]))
            {
                Ok(sig) => signature_len = sig.len(),
                Err(_) => problems.push("segment 3 is not valid base64url".to_string()),
            }
        }
    }

    let text = |v: &Option<Value>, key: &str, problems: &mut Vec<String>| -> Option<String> {
        match v.as_ref()?.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
            _ => {
                problems.push(format!("{key} is not a string"));
                None
            }
        }
    };
    let alg = text(&header, "alg", &mut problems);
    let typ = text(&header, "typ", &mut problems);
    let kid = text(&header, "kid", &mut problems);
    let iat = numeric_date(&claims, "iat", &mut problems);
    let nbf = numeric_date(&claims, "nbf", &mut problems);
    let exp = numeric_date(&claims, "exp", &mut problems);

    Some(DecodedJwt {
        header,
        claims,
        signature_len,
        alg,
        typ,
        kid,
        iat,
        nbf,
        exp,
        problems,
    })
}

/// The header segment (possibly padded, possibly standard base64) decodes to something starting with `{`.
fn header_opens_an_object(seg: &str) -> bool {
    if seg.starts_with("eyJ") {
        return true;
    }
    // Decoding a short prefix is enough to see the first bytes, and keeps this constant-time.
    let Some(prefix) = seg.get(..seg.len().min(16)) else {
        return false;
    };
    URL_SAFE
        .decode(prefix)
        .or_else(|_| STANDARD.decode(prefix))
        .ok()
        .and_then(|b| b.into_iter().find(|c| !c.is_ascii_whitespace()))
        == Some(b'{')
}

/// Base64url-decode segment `n` (1-based), within the display cap.
fn decode_segment(n: usize, seg: &str, problems: &mut Vec<String>) -> Option<Vec<u8>> {
    if seg.is_empty() {
        problems.push(format!("segment {n} is empty"));
        return None;
    }
    let bytes = match URL_SAFE.decode(seg) {
        Ok(b) => b,
        Err(_) => match STANDARD.decode(seg) {
            Ok(b) => {
                problems.push(format!(
                    "segment {n} uses standard base64 (+ /), not base64url"
                ));
                b
            }
            Err(_) => {
                problems.push(format!("segment {n} is not valid base64url"));
                return None;
            }
        },
    };
    if bytes.len() > DISPLAY_CAP {
        problems.push(format!(
            "segment {n} is {} bytes (over the {DISPLAY_CAP}-byte display cap)",
            bytes.len()
        ));
        return None;
    }
    Some(bytes)
}

fn parse_json(what: &str, bytes: &[u8], problems: &mut Vec<String>) -> Option<Value> {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) if e.to_string().contains("recursion limit") => {
            problems.push(format!(
                "{what} nest deeper than the JSON parser's limit of 128 levels: not decoded"
            ));
            return None;
        }
        Err(e) => {
            let verb = if what == "header" { "is" } else { "are" };
            problems.push(format!("{what} {verb} not JSON ({e})"));
            return None;
        }
    };
    if !value.is_object() {
        problems.push(format!("{what} JSON is not an object"));
    }
    let dups = duplicate_keys(bytes);
    if !dups.is_empty() {
        let names: Vec<String> = dups
            .iter()
            .map(|k| format!("`{}`", shorten(k, 40)))
            .collect();
        problems.push(format!(
            "{what} repeat the key {} (the last value is shown)",
            names.join(", ")
        ));
    }
    Some(value)
}

/// A NumericDate claim as Unix seconds: integers, floats and numeric strings are all read.
fn numeric_date(claims: &Option<Value>, key: &str, problems: &mut Vec<String>) -> Option<i64> {
    let v = claims.as_ref()?.get(key)?;
    let from_f64 = |f: f64| (f.is_finite() && f.abs() < 9.0e18).then(|| f.floor() as i64);
    let parsed = match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().and_then(from_f64)),
        Value::String(s) => {
            let s = s.trim();
            let r = s
                .parse::<i64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(from_f64));
            if r.is_some() {
                problems.push(format!("{key} is a string, not a number (read anyway)"));
            }
            r
        }
        Value::Null => return None,
        _ => None,
    };
    if parsed.is_none() {
        problems.push(format!("{key} is not a usable number"));
    }
    parsed
}

/// Object keys that occur twice in the same object, anywhere in the document.
fn duplicate_keys(bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // The document already parsed once; an error here only means fewer duplicates reported.
    let _ = DupScan(&mut found).deserialize(&mut de);
    found
}

struct DupScan<'a>(&'a mut Vec<String>);

impl<'de> DeserializeSeed<'de> for DupScan<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DupScan<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone())
                && self.0.len() < MAX_DUPLICATES_LISTED
                && !self.0.contains(&key)
            {
                self.0.push(key);
            }
            map.next_value_seed(DupScan(self.0))?;
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(DupScan(self.0))?.is_some() {}
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// At most `max` characters of untrusted text, escaped for one line, `…` when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).flat_map(char::escape_debug).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// The unpadded base64url text of some bytes (builds tokens in tests).
#[cfg(test)]
pub(crate) fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose;

    fn token(header: &str, claims: &str, sig: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            b64url(header.as_bytes()),
            b64url(claims.as_bytes()),
            b64url(sig)
        )
    }

    #[test]
    fn decodes_a_normal_token() {
        let t = token(
            r#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#,
            r#"{"sub":"alice","iat":1790000000,"exp":1790000900.5,"nbf":"1790000000"}"#,
            &[7; 32],
        );
        assert!(looks_like_jwt(&t));
        let d = decode(&t).unwrap();
        assert_eq!(d.alg.as_deref(), Some("HS256"));
        assert_eq!(d.typ.as_deref(), Some("JWT"));
        assert_eq!(d.kid.as_deref(), Some("k1"));
        assert_eq!(d.iat, Some(1_790_000_000));
        assert_eq!(d.exp, Some(1_790_000_900));
        assert_eq!(d.nbf, Some(1_790_000_000));
        assert_eq!(d.signature_len, 32);
        assert_eq!(d.claims.unwrap()["sub"], "alice");
        assert_eq!(
            d.problems,
            vec!["nbf is a string, not a number (read anyway)".to_string()]
        );
    }

    #[test]
    fn alg_none_and_padding_are_fine() {
        let t = format!(
            "{}.{}.",
            b64url(br#"{"alg":"none"}"#),
            b64url(br#"{"sub":"x"}"#)
        );
        let d = decode(&t).unwrap();
        assert_eq!(d.alg.as_deref(), Some("none"));
        assert_eq!(d.signature_len, 0);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        let padded = format!(
            "{}.{}.",
            general_purpose::URL_SAFE.encode(br#"{"alg":"none"}"#),
            general_purpose::URL_SAFE.encode(br#"{"a":1}"#)
        );
        assert!(looks_like_jwt(&padded));
        assert!(decode(&padded).unwrap().problems.is_empty());
        // A header with leading whitespace does not start with eyJ but is still a JSON object.
        let spaced = token("  {\"alg\":\"HS256\"}", "{}", b"s");
        assert!(!spaced.starts_with("eyJ") && looks_like_jwt(&spaced));
    }

    #[test]
    fn opaque_values_are_not_jwts() {
        for s in [
            "",
            ".",
            "..",
            "abc.def.ghi",
            "opaque-refresh-token",
            "eyJ",
            "a.b.c.d",
            "eyJhbGc.x",
        ] {
            assert!(!looks_like_jwt(s), "{s}");
            assert!(decode(s).is_none(), "{s}");
        }
        assert!(!looks_like_jwt("eyJhbGciOiJub25lIn0.e30.!!!"));
    }

    #[test]
    fn bad_base64_and_non_json_are_problems() {
        let t = format!("{}.!!!not-base64!!!.sig", b64url(br#"{"alg":"HS256"}"#));
        let d = decode(&t).unwrap();
        assert!(
            d.problems
                .contains(&"segment 2 is not valid base64url".to_string()),
            "{:?}",
            d.problems
        );
        assert!(d.claims.is_none());
        let t = token(r#"{"alg":"HS256"}"#, "not json at all", b"s");
        let d = decode(&t).unwrap();
        assert!(
            d.problems
                .iter()
                .any(|p| p.starts_with("claims are not JSON")),
            "{:?}",
            d.problems
        );
        let t = format!("{}.e30.%%%", b64url(br#"{"alg":"HS256"}"#));
        assert!(
            decode(&t)
                .unwrap()
                .problems
                .contains(&"segment 3 is not valid base64url".to_string())
        );
        let t = token(r#"{"alg":"HS256"}"#, "[1,2]", b"s");
        assert!(
            decode(&t)
                .unwrap()
                .problems
                .iter()
                .any(|p| p.contains("not an object"))
        );
        let t = token(r#"{"alg":"HS256"}"#, r#"{"exp":"soon","iat":[1]}"#, b"s");
        let d = decode(&t).unwrap();
        assert_eq!((d.exp, d.iat), (None, None));
        assert!(
            d.problems.iter().any(|p| p == "exp is not a usable number"),
            "{:?}",
            d.problems
        );
        let t = token(r#"{"alg":"HS256"}"#, r#"{"exp":1e300}"#, b"s");
        assert_eq!(decode(&t).unwrap().exp, None);
    }

    #[test]
    fn one_megabyte_segment_is_capped() {
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(1_048_576 - 8));
        assert_eq!(big.len(), 1_048_576);
        let t = token(r#"{"alg":"HS256"}"#, &big, b"s");
        let started = std::time::Instant::now();
        let d = decode(&t).unwrap();
        assert!(
            d.problems.contains(
                &"segment 2 is 1048576 bytes (over the 65536-byte display cap)".to_string()
            )
        );
        assert!(d.claims.is_none());
        let big_header = format!("{{\"alg\":\"{}\"}}", "x".repeat(1_048_576 - 10));
        let t = format!("{}.e30.", b64url(big_header.as_bytes()));
        let d = decode(&t).unwrap();
        assert!(
            d.problems.contains(
                &"segment 1 is 1048576 bytes (over the 65536-byte display cap)".to_string()
            )
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn deep_nesting_is_a_problem_not_a_panic() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(1000), "]".repeat(1000));
        let t = token(r#"{"alg":"HS256"}"#, &deep, b"s");
        let d = decode(&t).unwrap();
        assert!(
            d.problems.iter().any(|p| p.contains("nest deeper")),
            "{:?}",
            d.problems
        );
        let deep_obj = format!("{}1{}", "{\"a\":".repeat(1000), "}".repeat(1000));
        let t = token(&deep_obj, "{}", b"s");
        let d = decode(&t).unwrap();
        assert!(d.header.is_none() && d.problems.iter().any(|p| p.contains("header nest deeper")));
    }

    #[test]
    fn duplicate_keys_are_noted() {
        let t = token(
            r#"{"alg":"HS256"}"#,
            r#"{"exp":1,"sub":"a","exp":2,"n":{"x":1,"x":2}}"#,
            b"s",
        );
        let d = decode(&t).unwrap();
        assert_eq!(d.exp, Some(2));
        assert!(
            d.problems
                .iter()
                .any(|p| p == "claims repeat the key `exp`, `x` (the last value is shown)"),
            "{:?}",
            d.problems
        );
    }

    #[test]
    fn jwe_header_only() {
        let h = b64url(br#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#);
        let t = format!("{h}.a2V5.aXY.Y2lwaGVy.dGFn");
        assert!(looks_like_jwt(&t));
        let d = decode(&t).unwrap();
        assert_eq!(d.alg.as_deref(), Some("RSA-OAEP"));
        assert!(d.claims.is_none());
        assert!(d.problems[0].contains("JWE"));
    }

    #[test]
    fn hostile_inputs_never_panic() {
        let many_dots = ".".repeat(100_000);
        let inputs = [
            "eyJ..",
            "eyJ.eyJ.eyJ",
            "eyJé.a.b",
            "eyJhbGciOiJIUzI1NiJ9.\u{0}.\u{1}",
            "ey==.e30.",
            "e30.e30.e30",
            "=.=.=",
            &many_dots,
        ];
        for s in inputs {
            let _ = looks_like_jwt(s);
            let _ = decode(s);
        }
        let unicode_prefix = format!("{}é.e30.", "e".repeat(15));
        let _ = decode(&unicode_prefix);
    }
}
