//! Response bodies: streamed, decoded (gzip, x-gzip, deflate, br) while reading, counted after
//! decoding and cut at the cap, every read racing the read timeout and the exchange deadline. A
//! decompression bomb costs about `cap` bytes of memory and `cap` bytes of decoding work.

use std::io;
use std::pin::Pin;

use async_compression::tokio::bufread::{BrotliDecoder, DeflateDecoder, GzipDecoder, ZlibDecoder};
use futures_util::TryStreamExt;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::time::Instant;
use tokio_util::io::StreamReader;

const CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    Gzip,
    Deflate,
    Brotli,
}

impl Coding {
    /// A content coding we decode (`identity` is filtered out before).
    pub(crate) fn parse(token: &str) -> Option<Coding> {
        match token {
            "gzip" | "x-gzip" => Some(Coding::Gzip),
            "deflate" => Some(Coding::Deflate),
            "br" => Some(Coding::Brotli),
            _ => None,
        }
    }
}

/// Most content codings decoded in a chain. Each one stacks a decoder (and its buffers); a hostile
/// `Content-Encoding: gzip, gzip, ...` with thousands of items would otherwise build thousands of nested
/// decoders, exhausting memory and the stack. Real servers apply one, rarely two.
pub(crate) const MAX_CODINGS: usize = 2;

/// The content codings of a response in the order the server applied them, lower-case, without
/// `identity` and empty items. Several Content-Encoding headers are concatenated.
///
/// More than [`MAX_CODINGS`] come back as one item naming them (`gzip, gzip, … (10000 codings)`), which
/// [`Coding::parse`] does not know: the body is then kept as received, like any unknown coding, and
/// [`super::undecoded_encoding`] reports it.
pub(crate) fn content_codings<'a>(
    headers: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<String> {
    let mut codings = Vec::new();
    let mut count = 0usize;
    for token in headers
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-encoding"))
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("identity"))
    {
        count += 1;
        // Only what a label needs is kept: no allocation per item of a hostile list.
        if count <= MAX_CODINGS + 1 {
            codings.push(token.to_ascii_lowercase());
        }
    }
    if count > MAX_CODINGS {
        codings.truncate(MAX_CODINGS);
        vec![format!("{}, … ({count} codings)", codings.join(", "))]
    } else {
        codings
    }
}

#[derive(Debug)]
pub(crate) enum Failure {
    /// Silence longer than the read timeout.
    ReadTimeout,
    /// The exchange deadline passed.
    TotalTimeout,
    Decode {
        encoding: String,
        reason: String,
    },
    /// The connection failed mid-body.
    Transport(String),
}

pub(crate) struct BodyRead {
    /// Decoded bytes kept (at most the cap).
    pub bytes: Vec<u8>,
    /// The cap stopped the read (there was more).
    pub truncated: bool,
    pub failure: Option<Failure>,
    /// Content-Encoding that was not decoded (unknown coding): `bytes` are as received.
    pub undecoded: Option<String>,
}

/// A transport error carried through the decoders inside an `io::Error`, told apart from decode
/// errors by type.
#[derive(Debug)]
struct TransportError {
    timeout: bool,
    message: String,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TransportError {}

type Reader = Pin<Box<dyn AsyncBufRead + Send>>;

pub(crate) async fn read_body(
    resp: reqwest::Response,
    cap: u64,
    read_timeout: std::time::Duration,
    deadline: Instant,
) -> BodyRead {
    let codings = content_codings(
        resp.headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?))),
    );
    let decoded: Option<Vec<Coding>> = codings.iter().map(|c| Coding::parse(c)).collect();
    let undecoded = if decoded.is_none() {
        Some(codings.join(", "))
    } else {
        None
    };
    let encoding_label = codings.join(", ");

    let stream = resp.bytes_stream().map_err(|e| {
        io::Error::other(TransportError {
            timeout: e.is_timeout(),
            message: super::error::chain_text(&e),
        })
    });
    let mut reader: Reader = Box::pin(StreamReader::new(stream));
    let mut out = BodyRead {
        bytes: Vec::new(),
        truncated: false,
        failure: None,
        undecoded,
    };

    // Which step will hit first: the read timeout or the deadline.
    let limit = |deadline: Instant| {
        let read_limit = Instant::now() + read_timeout;
        if deadline <= read_limit {
            (deadline, Failure::TotalTimeout)
        } else {
            (read_limit, Failure::ReadTimeout)
        }
    };

    for coding in decoded.unwrap_or_default().into_iter().rev() {
        reader = match coding {
            Coding::Gzip => Box::pin(BufReader::new(GzipDecoder::new(reader))),
            Coding::Brotli => Box::pin(BufReader::new(BrotliDecoder::new(reader))),
            Coding::Deflate => {
                // "deflate" should be zlib-wrapped; some servers send raw deflate. Peek to tell.
                let (at, on_timeout) = limit(deadline);
                let zlib = match tokio::time::timeout_at(at, reader.as_mut().fill_buf()).await {
                    Err(_) => {
                        out.failure = Some(on_timeout);
                        return out;
                    }
                    Ok(Err(e)) => {
                        out.failure = Some(io_failure(e, &encoding_label, false));
                        return out;
                    }
                    Ok(Ok(head)) => looks_like_zlib(head),
                };
                if zlib {
                    Box::pin(BufReader::new(ZlibDecoder::new(reader)))
                } else {
                    Box::pin(BufReader::new(DeflateDecoder::new(reader)))
                }
            }
        };
    }
    let decoding = !encoding_label.is_empty() && out.undecoded.is_none();

    let mut buf = vec![0u8; CHUNK];
    loop {
        let kept = out.bytes.len() as u64;
        let remaining = cap.saturating_sub(kept);
        // Ask for one byte more than the cap allows, to know whether there was more.
        let want = usize::try_from(remaining.saturating_add(1))
            .unwrap_or(CHUNK)
            .min(CHUNK);
        let (at, on_timeout) = limit(deadline);
        match tokio::time::timeout_at(at, reader.read(&mut buf[..want])).await {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => {
                let keep = usize::try_from(remaining).unwrap_or(usize::MAX).min(n);
                out.bytes.extend_from_slice(&buf[..keep]);
                if n > keep {
                    out.truncated = true;
                    break;
                }
            }
            // At the cap, all that was wanted is in: whatever stops the probe for more, the body
            // is cut, not failed.
            _ if remaining == 0 => {
                out.truncated = true;
                break;
            }
            Err(_) => {
                out.failure = Some(on_timeout);
                break;
            }
            Ok(Err(e)) => {
                out.failure = Some(io_failure(e, &encoding_label, decoding));
                break;
            }
        }
    }
    out
}

fn io_failure(e: io::Error, encoding: &str, decoding: bool) -> Failure {
    if let Some(t) = e.get_ref().and_then(|i| i.downcast_ref::<TransportError>()) {
        return if t.timeout {
            Failure::ReadTimeout
        } else {
            Failure::Transport(t.message.clone())
        };
    }
    if decoding {
        Failure::Decode {
            encoding: encoding.to_string(),
            reason: e.to_string(),
        }
    } else {
        Failure::Transport(e.to_string())
    }
}

/// RFC 1950 header: CM = 8 and the check bits make the first two bytes a multiple of 31.
fn looks_like_zlib(head: &[u8]) -> bool {
    match head {
        [a, b, ..] => a & 0x0f == 8 && (u16::from(*a) << 8 | u16::from(*b)) % 31 == 0,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codings_parsed_in_order() {
        let h = [
            ("Content-Encoding", "gzip, identity"),
            ("x", "y"),
            ("content-encoding", " BR ,"),
        ];
        assert_eq!(
            content_codings(h.iter().copied()),
            vec!["gzip".to_string(), "br".to_string()]
        );
        assert_eq!(Coding::parse("x-gzip"), Some(Coding::Gzip));
        assert_eq!(Coding::parse("zstd"), None);
    }

    #[test]
    fn too_many_codings_are_one_unknown_coding() {
        let h = [
            ("Content-Encoding", "gzip, br"),
            ("Content-Encoding", "deflate"),
        ];
        let codings = content_codings(h.iter().copied());
        assert_eq!(codings, vec!["gzip, br, … (3 codings)".to_string()]);
        assert_eq!(Coding::parse(&codings[0]), None);
        let two = [("Content-Encoding", "gzip, identity, br")];
        assert_eq!(content_codings(two.iter().copied()), vec!["gzip", "br"]);
    }

    /// A server answering with 10,000 gzip codings and a gzip body: the body is kept as received (not
    /// decoded), reported as an unknown encoding, and nothing overflows.
    #[tokio::test]
    async fn ten_thousand_codings_are_not_decoded() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let body: &[u8] = b"\x1f\x8b\x08\x00raw bytes";
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            let mut head = Vec::new();
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = tokio::io::AsyncReadExt::read(&mut s, &mut buf)
                    .await
                    .unwrap();
                if n == 0 {
                    return;
                }
                head.extend_from_slice(&buf[..n]);
            }
            let codings = vec!["gzip"; 10_000].join(", ");
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Encoding: {codings}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            s.write_all(resp.as_bytes()).await.unwrap();
            s.write_all(body).await.unwrap();
            s.flush().await.unwrap();
        });
        let client = crate::http::HttpClient::new(crate::http::HttpConfig::default()).unwrap();
        let req = crate::http::OutgoingRequest {
            method: "GET".into(),
            url: url::Url::parse(&format!("http://{addr}/")).unwrap(),
            headers: vec![],
            body: vec![],
        };
        let out = client
            .send(req, &mut crate::http::CookieStore::default(), false)
            .await;
        server.await.unwrap();
        assert!(out.error.is_none(), "{:?}", out.error);
        let resp = out.hops[0].response.as_ref().unwrap();
        assert_eq!(resp.body.bytes(), body);
        assert_eq!(
            crate::http::undecoded_encoding(resp).as_deref(),
            Some("gzip, gzip, … (10000 codings)")
        );
    }

    #[test]
    fn zlib_sniffing() {
        assert!(looks_like_zlib(&[0x78, 0x9c]));
        assert!(looks_like_zlib(&[0x78, 0x01]));
        assert!(!looks_like_zlib(&[0x4b, 0x4c]));
        assert!(!looks_like_zlib(&[0xed, 0xc1]));
    }
}
