//! A 10 GiB gzip bomb, streamed on the fly, must stop at the cap quickly with bounded memory.
//! Alone in its test binary so the peak-memory measurement sees nothing else.

mod http_common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use authlens_core::http::CookieStore;
use http_common::*;
use tokio::io::AsyncWriteExt;

/// One raw-deflate segment that decodes to 1 MiB of zeros, ending on a sync flush (byte-aligned,
/// non-final block), so it can be repeated to make an arbitrarily long stream.
async fn zero_segment() -> Vec<u8> {
    let mut e = async_compression::tokio::write::DeflateEncoder::new(Vec::new());
    e.write_all(&vec![0u8; 1 << 20]).await.unwrap();
    e.flush().await.unwrap();
    let seg = e.get_ref().clone();
    assert!(seg.ends_with(&[0, 0, 0xff, 0xff]), "sync flush marker");
    seg
}

#[tokio::test]
async fn ten_gib_gzip_bomb_stops_at_the_cap_with_bounded_memory() {
    let segment = Arc::new(zero_segment().await);
    let sent = Arc::new(AtomicU64::new(0));
    let sent_by_server = sent.clone();
    let srv = serve(move |_req, mut s| {
        let (segment, sent) = (segment.clone(), sent_by_server.clone());
        async move {
            let head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n";
            // gzip header (no name, unknown OS), then 10 240 segments = 10 GiB of zeros, never closed properly.
            if s.write_all(head).await.is_err() || s.write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]).await.is_err()
            {
                return;
            }
            for _ in 0..10_240 {
                if s.write_all(&segment).await.is_err() {
                    return;
                }
                sent.fetch_add(segment.len() as u64, Ordering::SeqCst);
            }
        }
    })
    .await;

    let cap: u64 = 4 << 20;
    let rss_before = peak_rss();
    let t = Instant::now();
    let out = client(|c| {
        c.max_body_bytes = cap;
        c.total_timeout = Duration::from_secs(20);
    })
    .send(get(srv.url("/bomb")), &mut CookieStore::default(), true)
    .await;
    let elapsed = t.elapsed();
    assert!(out.error.is_none(), "{:?}", out.error);
    let resp = out.hops[0].response.as_ref().unwrap();
    assert_eq!(resp.header("content-encoding"), Some("gzip"));
    assert_eq!((resp.body.size, resp.body.truncated), (cap, true));
    assert!(resp.body.bytes().iter().all(|b| *b == 0));
    assert!(
        elapsed < Duration::from_secs(5),
        "stopped fast: {elapsed:?}"
    );

    let growth = peak_rss().saturating_sub(rss_before);
    assert!(
        growth < 64 << 20,
        "peak memory grew by {} MiB",
        growth >> 20
    );
    // The server got to send only a sliver of its 10 MB of compressed data (the cap plus socket
    // buffers) before the client hung up.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = sent.load(Ordering::SeqCst);
    assert!(sent < 8 << 20, "server sent {sent} bytes");
}
