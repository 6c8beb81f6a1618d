//! HMAC-SHA256 of several candidate keys at once with the x86 SHA extensions (SHA-NI).
//!
//! One SHA-256 block is 32 `sha256rnds2` in a dependency chain: a single stream waits on each one's latency
//! (~4 cycles) while the unit could start one per cycle. So [`LANES`] candidates run side by side, their
//! round instructions interleaved, which keeps the unit busy. And the signing input's blocks are the same for
//! every candidate: their message schedule (W + K) is computed once per audit, leaving only the rounds.
//!
//! The state stays in the SHA-NI register layout (ABEF, CDGH) from the IV to the final compare: the
//! expected MAC is converted to that layout once. Checked against the `hmac` crate in this module's tests.

use std::arch::x86_64::{
    __m128i, _mm_add_epi32, _mm_alignr_epi8, _mm_and_si128, _mm_blend_epi16, _mm_cmpeq_epi32,
    _mm_loadu_si128, _mm_movemask_epi8, _mm_set_epi32, _mm_set_epi64x, _mm_set1_epi8,
    _mm_setzero_si128, _mm_sha256msg1_epu32, _mm_sha256msg2_epu32, _mm_sha256rnds2_epu32,
    _mm_shuffle_epi8, _mm_shuffle_epi32, _mm_xor_si128,
};

/// Candidates per call. Four hide `sha256rnds2`'s latency (4 cycles, one per cycle issued, on Zen 3);
/// measured there, 2, 3, 4, 5, 6 and 8 lanes: 430, 344, 325, 333, 402 and 417 cycles per HS256 candidate.
pub(super) const LANES: usize = 4;

/// Longest key a lane takes as is; longer keys are hashed first (RFC 2104), by the caller.
pub(super) const MAX_KEY: usize = 64;

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// A SHA-256 state in SHA-NI layout: [ABEF, CDGH].
type State = [__m128i; 2];
/// One block's schedule: W+K for each group of four rounds.
type Schedule = [__m128i; 16];

/// The per-audit part: IV and expected MAC in SHA-NI layout, the signing input's schedules.
pub(super) struct Sha256Lanes {
    iv: State,
    expected: State,
    /// Per signing-input block: (W+K, its high half moved down) for each group of four rounds.
    message: Vec<[(__m128i, __m128i); 16]>,
}

impl Sha256Lanes {
    /// None unless this CPU has SHA-NI (and the SSSE3/SSE4.1 it needs alongside).
    ///
    /// `message`: the signing input's padded blocks (their length field counting the ipad block);
    /// `iv` and `expected`: SHA-256 words.
    pub(super) fn new(iv: &[u32; 8], message: &[[u8; 64]], expected: &[u32; 8]) -> Option<Self> {
        if !(std::is_x86_feature_detected!("sha")
            && std::is_x86_feature_detected!("ssse3")
            && std::is_x86_feature_detected!("sse4.1"))
        {
            return None;
        }
        // SAFETY: the features `prepare` is compiled for were just detected.
        Some(unsafe { prepare(iv, message, expected) })
    }

    /// Which of `keys` (each at most [`MAX_KEY`] bytes) is the secret: bit i set for `keys[i]`.
    #[inline]
    pub(super) fn matches(&self, keys: &[&[u8]; LANES]) -> u32 {
        // SAFETY: a Sha256Lanes only exists where `new` detected the features.
        unsafe { hmac_lanes(self, keys) }
    }
}

#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn prepare(iv: &[u32; 8], message: &[[u8; 64]], expected: &[u32; 8]) -> Sha256Lanes {
    let message = message
        .iter()
        .map(|block| {
            let schedule = schedule(load_block(block));
            let mut both = [(_mm_setzero_si128(), _mm_setzero_si128()); 16];
            for (b, wk) in both.iter_mut().zip(schedule) {
                *b = (wk, _mm_shuffle_epi32(wk, 0x0E));
            }
            both
        })
        .collect();
    Sha256Lanes {
        iv: to_lanes(iv),
        expected: to_lanes(expected),
        message,
    }
}

/// The words a..h into SHA-NI layout (as sha2's x86 backend loads its state).
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn to_lanes(words: &[u32; 8]) -> State {
    let [a, b, c, d, e, f, g, h] = words.map(|w| w as i32);
    let dcba = _mm_set_epi32(d, c, b, a);
    let hgfe = _mm_set_epi32(h, g, f, e);
    let cdab = _mm_shuffle_epi32(dcba, 0xB1);
    let efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    [
        _mm_alignr_epi8(cdab, efgh, 8),
        _mm_blend_epi16(efgh, cdab, 0xF0),
    ]
}

/// SHA-NI layout back to message words: [a b c d], [e f g h] (the inner digest as the outer block's start).
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn to_words(state: State) -> [__m128i; 2] {
    let feba = _mm_shuffle_epi32(state[0], 0x1B);
    let dchg = _mm_shuffle_epi32(state[1], 0xB1);
    [
        _mm_blend_epi16(feba, dchg, 0xF0),
        _mm_alignr_epi8(dchg, feba, 8),
    ]
}

/// Big-endian bytes to message words.
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn load_block(block: &[u8; 64]) -> [__m128i; 4] {
    let swap = _mm_set_epi64x(0x0C0D_0E0F_0809_0A0B, 0x0405_0607_0001_0203);
    let mut w = [_mm_setzero_si128(); 4];
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: `chunk` is 16 readable bytes; loadu has no alignment requirement.
        let v = unsafe { _mm_loadu_si128(chunk.as_ptr().cast()) };
        w[i] = _mm_shuffle_epi8(v, swap);
    }
    w
}

/// The message schedule of one block, with the round constants added (the signing input's, once).
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
#[inline]
fn schedule(w: [__m128i; 4]) -> Schedule {
    let mut ws = [_mm_setzero_si128(); 16];
    ws[..4].copy_from_slice(&w);
    for i in 4..16 {
        let t1 = _mm_sha256msg1_epu32(ws[i - 4], ws[i - 3]);
        let t2 = _mm_alignr_epi8(ws[i - 1], ws[i - 2], 4);
        ws[i] = _mm_sha256msg2_epu32(_mm_add_epi32(t1, t2), ws[i - 1]);
    }
    let mut out = [_mm_setzero_si128(); 16];
    for (i, (o, w)) in out.iter_mut().zip(ws).enumerate() {
        let k = _mm_set_epi32(
            K[4 * i + 3] as i32,
            K[4 * i + 2] as i32,
            K[4 * i + 1] as i32,
            K[4 * i] as i32,
        );
        *o = _mm_add_epi32(w, k);
    }
    out
}

/// One block for every lane from its own message words, rounds interleaved across lanes, each lane's
/// schedule computed between its rounds (as a whole schedule first, the rounds would wait on it).
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
#[inline]
fn rounds_own(states: &mut [State; LANES], words: &[[__m128i; 4]; LANES]) {
    let saved = *states;
    // w[l][i % 4] holds W[4i..4i+4] of lane l; the next group replaces the oldest.
    let mut w = *words;
    for i in 0..16 {
        let k = _mm_set_epi32(
            K[4 * i + 3] as i32,
            K[4 * i + 2] as i32,
            K[4 * i + 1] as i32,
            K[4 * i] as i32,
        );
        let mut wk = [_mm_setzero_si128(); LANES];
        for (wk, r) in wk.iter_mut().zip(w.iter_mut()) {
            if i >= 4 {
                let t1 = _mm_sha256msg1_epu32(r[i % 4], r[(i + 1) % 4]);
                let t2 = _mm_alignr_epi8(r[(i + 3) % 4], r[(i + 2) % 4], 4);
                r[i % 4] = _mm_sha256msg2_epu32(_mm_add_epi32(t1, t2), r[(i + 3) % 4]);
            }
            *wk = _mm_add_epi32(r[i % 4], k);
        }
        for (s, wk) in states.iter_mut().zip(wk) {
            s[1] = _mm_sha256rnds2_epu32(s[1], s[0], wk);
        }
        for (s, wk) in states.iter_mut().zip(wk) {
            s[0] = _mm_sha256rnds2_epu32(s[0], s[1], _mm_shuffle_epi32(wk, 0x0E));
        }
    }
    for (s, o) in states.iter_mut().zip(saved) {
        s[0] = _mm_add_epi32(s[0], o[0]);
        s[1] = _mm_add_epi32(s[1], o[1]);
    }
}

/// One block for every lane, all with the same precomputed schedule.
#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
#[inline]
fn rounds_shared(states: &mut [State; LANES], schedule: &[(__m128i, __m128i); 16]) {
    let saved = *states;
    for (lo, hi) in schedule {
        for s in states.iter_mut() {
            s[1] = _mm_sha256rnds2_epu32(s[1], s[0], *lo);
        }
        for s in states.iter_mut() {
            s[0] = _mm_sha256rnds2_epu32(s[0], s[1], *hi);
        }
    }
    for (s, o) in states.iter_mut().zip(saved) {
        s[0] = _mm_add_epi32(s[0], o[0]);
        s[1] = _mm_add_epi32(s[1], o[1]);
    }
}

#[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
fn hmac_lanes(p: &Sha256Lanes, keys: &[&[u8]; LANES]) -> u32 {
    // Each key zero-padded to a block, as message words.
    let key_words: [[__m128i; 4]; LANES] = std::array::from_fn(|l| {
        let mut block = [0u8; 64];
        let len = keys[l].len().min(MAX_KEY);
        block[..len].copy_from_slice(&keys[l][..len]);
        load_block(&block)
    });
    // The pads are the same byte everywhere, so they XOR into the byte-swapped words unchanged.
    let pad = |byte: i8| -> [[__m128i; 4]; LANES] {
        let v = _mm_set1_epi8(byte);
        std::array::from_fn(|l| key_words[l].map(|w| _mm_xor_si128(w, v)))
    };

    let mut inner = [p.iv; LANES];
    rounds_own(&mut inner, &pad(0x36));
    for block in &p.message {
        rounds_shared(&mut inner, block);
    }

    let mut outer = [p.iv; LANES];
    rounds_own(&mut outer, &pad(0x5c));
    // The outer hash's last block: the inner digest, 0x80, zeros, the length (64 + 32 bytes, in bits).
    let last: [[__m128i; 4]; LANES] = std::array::from_fn(|l| {
        let [abcd, efgh] = to_words(inner[l]);
        [
            abcd,
            efgh,
            _mm_set_epi32(0, 0, 0, 0x8000_0000_u32 as i32),
            _mm_set_epi32(768, 0, 0, 0),
        ]
    });
    rounds_own(&mut outer, &last);

    let mut hits = 0;
    for (i, s) in outer.iter().enumerate() {
        let eq = _mm_and_si128(
            _mm_cmpeq_epi32(s[0], p.expected[0]),
            _mm_cmpeq_epi32(s[1], p.expected[1]),
        );
        if _mm_movemask_epi8(eq) == 0xFFFF {
            hits |= 1 << i;
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::super::tests::reference;
    use super::*;

    const IV: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];

    /// `msg` padded as following the 64-byte ipad block.
    fn padded(msg: &[u8]) -> Vec<[u8; 64]> {
        let mut bytes = msg.to_vec();
        bytes.push(0x80);
        while !(bytes.len() + 8).is_multiple_of(64) {
            bytes.push(0);
        }
        bytes.extend_from_slice(&((64 + msg.len() as u64) * 8).to_be_bytes());
        bytes
            .chunks_exact(64)
            .map(|c| c.try_into().unwrap())
            .collect()
    }

    fn words(mac: &[u8]) -> [u32; 8] {
        let mut w = [0; 8];
        for (w, c) in w.iter_mut().zip(mac.chunks_exact(4)) {
            *w = u32::from_be_bytes(c.try_into().unwrap());
        }
        w
    }

    #[test]
    fn every_lane_agrees_with_the_hmac_crate() {
        let Some(_) = Sha256Lanes::new(&IV, &padded(b"x"), &[0; 8]) else {
            eprintln!("no SHA-NI on this CPU: the lanes are not used here");
            return;
        };
        for msg_len in [0, 1, 55, 56, 63, 64, 119, 120, 300] {
            let msg: Vec<u8> = (0..msg_len).map(|i| (i * 13 + 1) as u8).collect();
            for key_len in [0, 1, 31, 32, 55, 63, 64] {
                let key: Vec<u8> = (0..key_len).map(|i| (i * 7 + 5) as u8).collect();
                let lanes =
                    Sha256Lanes::new(&IV, &padded(&msg), &words(&reference("HS256", &key, &msg)))
                        .unwrap();
                let other = [b"nope".as_slice(), &key[..key_len / 2], b"", b"x"];
                for lane in 0..LANES {
                    let mut keys = other;
                    if key_len == 0 {
                        keys = [b"a".as_slice(), b"b", b"c", b"d"];
                    }
                    keys[lane] = &key;
                    let expected = 1 << lane;
                    assert_eq!(
                        lanes.matches(&keys),
                        expected,
                        "msg {msg_len} key {key_len} lane {lane}"
                    );
                }
                assert_eq!(lanes.matches(&[&key; LANES]), (1 << LANES) - 1);
            }
        }
    }
}
