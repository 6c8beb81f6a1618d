//! How unpredictable a server's session ids (or opaque tokens) are, estimated from a sample of fresh ones
//! (`session.entropy`). No single statistic is trusted: each method below bounds the effective entropy from a
//! different angle, and the estimate is the smallest, capped by what the length and alphabet could carry.
//!
//! - **per-character min-entropy**: at each position, `-log2` of the most frequent character's share, summed.
//!   Constant or skewed positions (prefixes, counters, timestamps) contribute little.
//! - **per-bit bias**: the same over the bits the alphabet encodes (hex 4, base64 6 per character).
//! - **compression**: the samples concatenated and deflated; sequences and repeats compress.
//! - **duplicates**: with `d` repeats among `n` ids, a `k`-bit random id would give about `n²/2^(k+1)`, so
//!   `k ≈ log2(n²/2d)` (only when there are repeats: none proves nothing).
//!
//! With a few hundred samples the frequency methods under-estimate strong ids (a fair 16-symbol position
//! looks like ~3.3 bits, not 4): the estimate is a floor, which is the safe direction for a check whose bar is
//! 64 bits. Structured tokens (JWTs, signed cookies) are not sampled: their randomness, if any, is not the
//! point of their security, and the method says so.

use std::collections::HashMap;
use std::io::Write;

use serde::{Deserialize, Serialize};

/// Fewer samples than this say too little to estimate anything.
pub const MIN_SAMPLES: usize = 20;
/// Longer ids are cut to this many characters (nobody needs more than 4096 bits).
const MAX_LEN: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum EntropyMethod {
    PerCharacter,
    PerBit,
    Compression,
    Duplicates,
    /// Length × log2(alphabet): what the id could carry at most.
    Ceiling,
}

impl EntropyMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            EntropyMethod::PerCharacter => "per-character min-entropy",
            EntropyMethod::PerBit => "per-bit bias",
            EntropyMethod::Compression => "compression ratio",
            EntropyMethod::Duplicates => "duplicates (birthday bound)",
            EntropyMethod::Ceiling => "length × log2(alphabet)",
        }
    }
}

/// The alphabet the samples are written in, as far as their characters tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum Alphabet {
    Decimal,
    Hex,
    Alphanumeric,
    Base64,
    /// Anything else: the distinct characters seen.
    Other,
}

impl Alphabet {
    /// Bits one character can carry.
    pub fn bits_per_char(self, distinct_seen: usize) -> f64 {
        match self {
            Alphabet::Decimal => 10f64.log2(),
            Alphabet::Hex => 4.0,
            Alphabet::Alphanumeric => 62f64.log2(),
            Alphabet::Base64 => 6.0,
            Alphabet::Other => (distinct_seen.max(2) as f64).log2(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct EntropyEstimate {
    pub samples: usize,
    pub distinct: usize,
    /// The shortest sample's length in characters (positions beyond it are not compared).
    pub length: usize,
    pub alphabet: Alphabet,
    /// The estimate: the smallest of the methods that apply, capped by the ceiling.
    pub bits: f64,
    /// The method that gave `bits`.
    pub method: EntropyMethod,
    /// Every method's figure, in the order tried.
    pub by_method: Vec<(EntropyMethod, f64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntropyError {
    #[error("{got} samples are too few to estimate entropy (at least {MIN_SAMPLES} are needed)")]
    TooFewSamples { got: usize },
    #[error("the samples are empty strings")]
    Empty,
    #[error("these are structured tokens ({0}), not random ids: their entropy is not measured")]
    Structured(&'static str),
}

/// Why a token is not a random id, if it is not: a JWT, or a signed cookie value.
pub fn structured_kind(token: &str) -> Option<&'static str> {
    let parts: Vec<&str> = token.split('.').collect();
    if (parts.len() == 3 || parts.len() == 5) && token.starts_with("eyJ") {
        return Some("JWT");
    }
    // Express/cookie-signature (`s:value.sig`), Rails/Flask/itsdangerous (`payload.timestamp.signature`,
    // `data--digest`): a readable payload plus a signature.
    if token.starts_with("s:") && token.contains('.') {
        return Some("signed cookie");
    }
    // Rails: `data--<hex digest of 40 or 64 characters>`.
    if let Some((data, digest)) = token.rsplit_once("--")
        && !data.is_empty()
        && digest.len() >= 40
        && digest.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Some("signed cookie");
    }
    if parts.len() >= 2 && parts.iter().all(|p| p.len() >= 4 && is_base64ish(p)) && parts.len() <= 4
    {
        return Some("signed cookie");
    }
    None
}

fn is_base64ish(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/' | b'='))
}

/// Estimate the effective entropy of these ids.
pub fn estimate<S: AsRef<str>>(samples: &[S]) -> Result<EntropyEstimate, EntropyError> {
    if samples.len() < MIN_SAMPLES {
        return Err(EntropyError::TooFewSamples { got: samples.len() });
    }
    let ids: Vec<Vec<char>> = samples
        .iter()
        .map(|s| s.as_ref().chars().take(MAX_LEN).collect())
        .collect();
    if let Some(kind) = samples.iter().find_map(|s| structured_kind(s.as_ref())) {
        // One structured token is enough to say the server's ids are not plain random strings.
        return Err(EntropyError::Structured(kind));
    }
    let length = ids.iter().map(Vec::len).min().unwrap_or(0);
    if length == 0 {
        return Err(EntropyError::Empty);
    }
    let n = ids.len();
    let distinct_ids = {
        let mut v: Vec<&Vec<char>> = ids.iter().collect();
        v.sort();
        v.dedup();
        v.len()
    };
    let mut chars: Vec<char> = ids.iter().flatten().copied().collect();
    chars.sort_unstable();
    chars.dedup();
    let alphabet = classify(&chars);
    let ceiling = length as f64 * alphabet.bits_per_char(chars.len());

    let mut by_method = vec![
        (EntropyMethod::PerCharacter, per_character(&ids, length)),
        (EntropyMethod::PerBit, per_bit(&ids, length, alphabet)),
        (EntropyMethod::Compression, compression(samples)),
    ];
    let duplicates = n - distinct_ids;
    if duplicates > 0 {
        let bits = ((n * n) as f64 / (2.0 * duplicates as f64)).log2().max(0.0);
        by_method.push((EntropyMethod::Duplicates, bits));
    }
    by_method.push((EntropyMethod::Ceiling, ceiling));
    let (method, bits) = by_method
        .iter()
        .copied()
        .filter(|(_, b)| b.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((EntropyMethod::Ceiling, ceiling));
    Ok(EntropyEstimate {
        samples: n,
        distinct: distinct_ids,
        length,
        alphabet,
        bits: (bits * 10.0).round() / 10.0,
        method,
        by_method: by_method
            .into_iter()
            .map(|(m, b)| (m, (b * 10.0).round() / 10.0))
            .collect(),
    })
}

fn classify(chars: &[char]) -> Alphabet {
    let all = |f: fn(&char) -> bool| chars.iter().all(f);
    if all(|c| c.is_ascii_digit()) {
        Alphabet::Decimal
    } else if all(|c| c.is_ascii_hexdigit())
        && (all(|c| !c.is_ascii_uppercase()) || all(|c| !c.is_ascii_lowercase()))
    {
        Alphabet::Hex
    } else if all(|c| c.is_ascii_alphanumeric()) {
        Alphabet::Alphanumeric
    } else if all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | '=')) {
        Alphabet::Base64
    } else {
        Alphabet::Other
    }
}

/// Sum over positions of -log2(share of the most common character there).
fn per_character(ids: &[Vec<char>], length: usize) -> f64 {
    let n = ids.len() as f64;
    (0..length)
        .map(|i| {
            let mut counts: HashMap<char, usize> = HashMap::new();
            for id in ids {
                *counts.entry(id[i]).or_default() += 1;
            }
            let max = counts.values().copied().max().unwrap_or(0) as f64;
            -(max / n).log2()
        })
        .sum()
}

/// The value a character encodes in its alphabet (None: not one of its characters).
fn char_value(c: char, alphabet: Alphabet) -> Option<(u32, u32)> {
    match alphabet {
        Alphabet::Hex => c.to_digit(16).map(|v| (v, 4)),
        Alphabet::Base64 | Alphabet::Alphanumeric => {
            let v = match c {
                'A'..='Z' => c as u32 - 'A' as u32,
                'a'..='z' => c as u32 - 'a' as u32 + 26,
                '0'..='9' => c as u32 - '0' as u32 + 52,
                '-' | '+' => 62,
                '_' | '/' => 63,
                _ => return None,
            };
            Some((v, 6))
        }
        // Decimal and other alphabets do not map onto whole bits; per-character covers them.
        Alphabet::Decimal | Alphabet::Other => None,
    }
}

/// Sum over bit positions of the min-entropy of that bit; the ceiling when the alphabet has no bit layout.
fn per_bit(ids: &[Vec<char>], length: usize, alphabet: Alphabet) -> f64 {
    let Some((_, width)) = char_value('a', alphabet) else {
        return f64::INFINITY;
    };
    let n = ids.len() as f64;
    let mut total = 0.0;
    for i in 0..length {
        let mut ones = vec![0usize; width as usize];
        for id in ids {
            let Some((v, _)) = char_value(id[i], alphabet) else {
                return f64::INFINITY;
            };
            for (b, one) in ones.iter_mut().enumerate() {
                *one += ((v >> b) & 1) as usize;
            }
        }
        for one in ones {
            let p = one as f64 / n;
            total += -(p.max(1.0 - p)).log2();
        }
    }
    total
}

/// Bits per id after deflating all of them together (at best level), less deflate's fixed overhead.
fn compression<S: AsRef<str>>(samples: &[S]) -> f64 {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    for s in samples {
        let s = s.as_ref();
        let cut = s
            .char_indices()
            .nth(MAX_LEN)
            .map(|(i, _)| i)
            .unwrap_or(s.len());
        if enc.write_all(&s.as_bytes()[..cut]).is_err() || enc.write_all(b"\n").is_err() {
            return f64::INFINITY;
        }
    }
    match enc.finish() {
        Ok(out) => (out.len().saturating_sub(16) * 8) as f64 / samples.len() as f64,
        Err(_) => f64::INFINITY,
    }
}

#[cfg(test)]
mod tests;
