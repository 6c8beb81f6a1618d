//! HMAC-SHA2 checked block by block, with everything that does not depend on the key computed once.
//!
//! HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)), K' the key zero-padded to the block size (hashed first
//! when longer). Per candidate that is exactly: one compression for the ipad block, the token's signing input
//! (padded once per audit, its length field counting the ipad block), one compression for the opad block and
//! one for the outer block (inner digest plus a padding tail that is also fixed). sha2's `compress*` pick the
//! SHA-NI / AVX2 code paths at run time. Nothing is allocated per candidate; digests compare as words.

// sha2 0.10's block type is generic-array 0.14, which its last release marks deprecated (in favour of 1.x,
// which sha2 0.10 does not use): nothing to upgrade to short of a second sha2 version.
#![allow(deprecated)]

use std::slice;

use sha2::digest::consts::{U64, U128};
use sha2::digest::generic_array::{ArrayLength, GenericArray};

/// One SHA-2 family: SHA-256 (32-bit words, 64-byte blocks) or SHA-384/512 (64-bit words, 128-byte blocks).
pub(super) trait Family {
    type Word: Copy + Eq + Default + std::fmt::Debug + Send + Sync;
    type BlockLen: ArrayLength<u8>;
    /// Block size in bytes.
    const BLOCK: usize;
    /// Bytes per word.
    const WORD: usize;
    /// Bytes of the big-endian bit-length field closing the padding.
    const LEN_FIELD: usize;
    fn compress(state: &mut [Self::Word; 8], blocks: &[Block<Self>]);
    fn word_from_be(bytes: &[u8]) -> Self::Word;
    fn word_to_be(word: Self::Word, out: &mut [u8]);
}

pub(super) type Block<F> = GenericArray<u8, <F as Family>::BlockLen>;

pub(super) struct Sha256Family;
pub(super) struct Sha512Family;

impl Family for Sha256Family {
    type Word = u32;
    type BlockLen = U64;
    const BLOCK: usize = 64;
    const WORD: usize = 4;
    const LEN_FIELD: usize = 8;
    #[inline(always)]
    fn compress(state: &mut [u32; 8], blocks: &[Block<Self>]) {
        sha2::compress256(state, blocks);
    }
    #[inline(always)]
    fn word_from_be(bytes: &[u8]) -> u32 {
        let mut b = [0; 4];
        b.copy_from_slice(bytes);
        u32::from_be_bytes(b)
    }
    #[inline(always)]
    fn word_to_be(word: u32, out: &mut [u8]) {
        out.copy_from_slice(&word.to_be_bytes());
    }
}

impl Family for Sha512Family {
    type Word = u64;
    type BlockLen = U128;
    const BLOCK: usize = 128;
    const WORD: usize = 8;
    const LEN_FIELD: usize = 16;
    #[inline(always)]
    fn compress(state: &mut [u64; 8], blocks: &[Block<Self>]) {
        sha2::compress512(state, blocks);
    }
    #[inline(always)]
    fn word_from_be(bytes: &[u8]) -> u64 {
        let mut b = [0; 8];
        b.copy_from_slice(bytes);
        u64::from_be_bytes(b)
    }
    #[inline(always)]
    fn word_to_be(word: u64, out: &mut [u8]) {
        out.copy_from_slice(&word.to_be_bytes());
    }
}

const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
const SHA384_IV: [u64; 8] = [
    0xcbbb9d5dc1059ed8,
    0x629a292a367cd507,
    0x9159015a3070dd17,
    0x152fecd8f70e5939,
    0x67332667ffc00b31,
    0x8eb44a8768581511,
    0xdb0c2e0d64f98fa7,
    0x47b5481dbefa4fa4,
];
const SHA512_IV: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// The HMAC of one signing input, checkable against one expected MAC for any number of keys.
pub(super) struct Mac<F: Family> {
    iv: [F::Word; 8],
    /// Digest length in words (8 for SHA-256 and SHA-512, 6 for SHA-384).
    out_words: usize,
    /// The signing input with its padding, as if it followed one block (the ipad block).
    message: Vec<Block<F>>,
    /// The outer hash's second block with its padding in place; the inner digest goes in front.
    outer_tail: Block<F>,
    expected: [F::Word; 8],
}

impl Mac<Sha256Family> {
    pub(super) fn sha256(message: &[u8], mac: &[u8]) -> Option<Self> {
        Self::new(SHA256_IV, 8, message, mac)
    }

    /// The same check, several candidates at a time, where the CPU has SHA-NI.
    #[cfg(target_arch = "x86_64")]
    pub(super) fn lanes(&self) -> Option<super::lanes::Sha256Lanes> {
        let blocks: Vec<[u8; 64]> = self
            .message
            .iter()
            .map(|b| {
                let mut block = [0; 64];
                block.copy_from_slice(b);
                block
            })
            .collect();
        super::lanes::Sha256Lanes::new(&self.iv, &blocks, &self.expected)
    }
}

impl Mac<Sha512Family> {
    pub(super) fn sha384(message: &[u8], mac: &[u8]) -> Option<Self> {
        Self::new(SHA384_IV, 6, message, mac)
    }
    pub(super) fn sha512(message: &[u8], mac: &[u8]) -> Option<Self> {
        Self::new(SHA512_IV, 8, message, mac)
    }
}

impl<F: Family> Mac<F> {
    /// None when `mac` is not exactly one digest long.
    fn new(iv: [F::Word; 8], out_words: usize, message: &[u8], mac: &[u8]) -> Option<Self> {
        let out_len = out_words * F::WORD;
        if mac.len() != out_len {
            return None;
        }
        let mut expected = [F::Word::default(); 8];
        for (w, chunk) in expected.iter_mut().zip(mac.chunks_exact(F::WORD)) {
            *w = F::word_from_be(chunk);
        }
        let message = padded::<F>(F::BLOCK, message);
        let mut tail = padded::<F>(F::BLOCK, &vec![0; out_len]);
        // out_len + 1 + LEN_FIELD always fits one block (32+9 <= 64, 64+17 <= 128).
        let outer_tail = tail.pop().unwrap_or_default();
        Some(Mac {
            iv,
            out_words,
            message,
            outer_tail,
            expected,
        })
    }

    /// Whether HMAC(key, message) equals the expected MAC.
    #[inline]
    pub(super) fn matches(&self, key: &[u8]) -> bool {
        let mut k = Block::<F>::default();
        if key.len() > F::BLOCK {
            self.hash_long_key(key, &mut k);
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let mut pad = k.clone();
        for b in pad.iter_mut() {
            *b ^= 0x36;
        }
        let mut inner = self.iv;
        F::compress(&mut inner, slice::from_ref(&pad));
        F::compress(&mut inner, &self.message);

        for (p, b) in pad.iter_mut().zip(k.iter()) {
            *p = b ^ 0x5c;
        }
        let mut outer = self.iv;
        F::compress(&mut outer, slice::from_ref(&pad));
        let mut last = self.outer_tail.clone();
        for (w, out) in inner[..self.out_words]
            .iter()
            .zip(last.chunks_exact_mut(F::WORD))
        {
            F::word_to_be(*w, out);
        }
        F::compress(&mut outer, slice::from_ref(&last));
        // A word loop, not a slice compare: that would call memcmp for every candidate.
        outer
            .iter()
            .zip(&self.expected)
            .take(self.out_words)
            .all(|(a, b)| a == b)
    }

    /// A key longer than the block is replaced by its digest (RFC 2104); no allocation.
    #[cold]
    fn hash_long_key(&self, key: &[u8], out: &mut Block<F>) {
        let mut state = self.iv;
        let whole = key.len() / F::BLOCK * F::BLOCK;
        for chunk in key[..whole].chunks_exact(F::BLOCK) {
            F::compress(&mut state, slice::from_ref(GenericArray::from_slice(chunk)));
        }
        let rest = &key[whole..];
        // The tail: the rest, 0x80, zeros, the bit length; one or two blocks.
        let mut tail = [Block::<F>::default(), Block::<F>::default()];
        let blocks = if rest.len() + 1 + F::LEN_FIELD <= F::BLOCK {
            1
        } else {
            2
        };
        let bits = (key.len() as u128).wrapping_mul(8).to_be_bytes();
        {
            let [first, second] = &mut tail;
            first[..rest.len()].copy_from_slice(rest);
            first[rest.len()] = 0x80;
            let end = if blocks == 1 { first } else { second };
            end[F::BLOCK - F::LEN_FIELD..].copy_from_slice(&bits[16 - F::LEN_FIELD..]);
        }
        F::compress(&mut state, &tail[..blocks]);
        for (w, chunk) in state[..self.out_words]
            .iter()
            .zip(out.chunks_exact_mut(F::WORD))
        {
            F::word_to_be(*w, chunk);
        }
    }
}

/// `data` padded as the end of a message that starts with `prefix_len` bytes already hashed.
fn padded<F: Family>(prefix_len: usize, data: &[u8]) -> Vec<Block<F>> {
    let mut bytes = data.to_vec();
    bytes.push(0x80);
    while !(bytes.len() + F::LEN_FIELD).is_multiple_of(F::BLOCK) {
        bytes.push(0);
    }
    let bits = ((prefix_len + data.len()) as u128)
        .wrapping_mul(8)
        .to_be_bytes();
    bytes.extend_from_slice(&bits[16 - F::LEN_FIELD..]);
    bytes
        .chunks_exact(F::BLOCK)
        .map(GenericArray::clone_from_slice)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::reference;
    use super::*;

    const KEY_LENS: [usize; 9] = [0, 1, 63, 64, 65, 127, 128, 129, 200];

    /// Message lengths around every padding edge of both block sizes.
    fn messages() -> Vec<Vec<u8>> {
        [0, 1, 55, 56, 63, 64, 111, 112, 119, 120, 127, 128, 129, 300]
            .iter()
            .map(|&n| (0..n).map(|i| (i * 7 + 3) as u8).collect())
            .collect()
    }

    fn key(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 + 11) as u8).collect()
    }

    #[test]
    fn agrees_with_the_hmac_crate() {
        for msg in messages() {
            for len in KEY_LENS {
                let k = key(len);
                let other = key(len + 1);
                let mac = reference("HS256", &k, &msg);
                let m = Mac::sha256(&msg, &mac).unwrap();
                assert!(m.matches(&k), "HS256 key {len} msg {}", msg.len());
                assert!(!m.matches(&other), "HS256 key {len} msg {}", msg.len());
                assert!(!m.matches(&k[..len.saturating_sub(1)]) || len == 0);

                let mac = reference("HS384", &k, &msg);
                let m = Mac::sha384(&msg, &mac).unwrap();
                assert!(m.matches(&k), "HS384 key {len} msg {}", msg.len());
                assert!(!m.matches(&other), "HS384 key {len} msg {}", msg.len());

                let mac = reference("HS512", &k, &msg);
                let m = Mac::sha512(&msg, &mac).unwrap();
                assert!(m.matches(&k), "HS512 key {len} msg {}", msg.len());
                assert!(!m.matches(&other), "HS512 key {len} msg {}", msg.len());
            }
        }
    }

    #[test]
    fn a_flipped_bit_anywhere_in_the_mac_fails() {
        let msg = b"header.payload";
        let mac = reference("HS384", b"k", msg);
        for i in 0..mac.len() {
            let mut bad = mac.clone();
            bad[i] ^= 1;
            assert!(!Mac::sha384(msg, &bad).unwrap().matches(b"k"), "byte {i}");
        }
    }

    #[test]
    fn the_mac_must_be_one_digest_long() {
        assert!(Mac::sha256(b"m", &[0; 31]).is_none());
        assert!(Mac::sha256(b"m", &[0; 33]).is_none());
        assert!(Mac::sha384(b"m", &[0; 64]).is_none());
        assert!(Mac::sha512(b"m", &[0; 48]).is_none());
        assert!(Mac::sha384(b"m", &[0; 48]).is_some());
    }
}
