//! The HTTP client against hostile and broken plain-http servers on 127.0.0.1 (real sockets, exact
//! bytes, no mocks of the client).

mod http_common;

use std::time::{Duration, Instant};

use authlens_core::http::{CookieStore, HttpError, OutgoingRequest, undecoded_encoding};
use http_common::*;
use tokio::io::AsyncWriteExt;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn get_then_post_records_everything_and_sends_the_cookie_back() {
    let srv = serve(|req, mut s| async move {
        let bytes = match req.path.as_str() {
            "/login" => response(
                "200 OK",
                &[
                    ("Set-Cookie", b"sid=abc123; Path=/; HttpOnly"),
                    ("Content-Type", b"text/plain"),
                    ("X-A", b"1"),
                ],
                b"hello",
            ),
            _ => response(
                "201 Created",
                &[("Content-Type", b"application/json")],
                &req.body,
            ),
        };
        write_all(&mut s, &bytes).await;
    })
    .await;
    let client = client(|_| {});
    let mut jar = CookieStore::default();

    let before = now_ms();
    let out = client.send(get(srv.url("/login")), &mut jar, true).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.hops.len(), 1);
    let hop = &out.hops[0];
    assert!(hop.started_at >= before && hop.started_at <= now_ms());
    assert!(hop.ttfb_ms > 0.0 && hop.ttfb_ms <= hop.duration_ms);
    assert_eq!(hop.request.method, "GET");
    assert_eq!(hop.request.header("user-agent"), Some("authlens-test/1"));
    assert_eq!(hop.request.header("cookie"), None);
    let resp = hop.response.as_ref().unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.http_version, "HTTP/1.1");
    assert_eq!(
        resp.set_cookies,
        vec!["sid=abc123; Path=/; HttpOnly".to_string()]
    );
    assert_eq!(
        resp.header("set-cookie"),
        Some("sid=abc123; Path=/; HttpOnly")
    );
    assert_eq!(resp.header("x-a"), Some("1"));
    assert_eq!(resp.body.text.as_deref(), Some("hello"));
    assert_eq!((resp.body.size, resp.body.truncated), (5, false));
    assert_eq!(
        jar.get("127.0.0.1", "/", "sid")
            .map(|c| c.value().to_string()),
        Some("abc123".into())
    );

    let post = OutgoingRequest {
        method: "POST".into(),
        url: srv.url("/api?x=1"),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Trace".into(), "t1".into()),
        ],
        body: br#"{"a":1}"#.to_vec(),
    };
    let out = client.send(post, &mut jar, true).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    let hop = &out.hops[0];
    assert_eq!(hop.request.header("cookie"), Some("sid=abc123"));
    assert_eq!(hop.request.body.text.as_deref(), Some(r#"{"a":1}"#));
    let resp = hop.response.as_ref().unwrap();
    assert_eq!(resp.status, 201);
    assert_eq!(resp.body.text.as_deref(), Some(r#"{"a":1}"#));

    // The record is the request as sent: every recorded header arrived, and nothing else did.
    let got = &srv.requests()[1];
    assert_eq!(
        (got.method.as_str(), got.path.as_str()),
        ("POST", "/api?x=1")
    );
    assert_eq!(got.header("cookie"), Some("sid=abc123"));
    assert_eq!(got.body, br#"{"a":1}"#);
    let mut sent: Vec<(String, String)> = got
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    let mut recorded: Vec<(String, String)> = hop
        .request
        .headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase(), h.value.clone()))
        .collect();
    sent.sort();
    recorded.sort();
    assert_eq!(sent, recorded);
}

#[tokio::test]
async fn redirect_loop_stops_with_too_many_redirects() {
    let srv = serve(|_req, mut s| async move {
        write_all(
            &mut s,
            &response("302 Found", &[("Location", b"/loop")], b""),
        )
        .await;
    })
    .await;
    let out = client(|_| {})
        .send(get(srv.url("/loop")), &mut CookieStore::default(), true)
        .await;
    match out.error {
        Some(HttpError::TooManyRedirects {
            hops: 11, max: 10, ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(out.hops.len(), 11);
    assert_eq!(srv.hits(), 11);
    assert!(
        out.hops
            .iter()
            .all(|h| h.response.as_ref().map(|r| r.status) == Some(302))
    );
}

#[tokio::test]
async fn redirects_change_method_as_browsers_do_and_carry_cookies() {
    let srv = serve(|req, mut s| async move {
        let bytes = match req.path.as_str() {
            "/form" => response(
                "303 See Other",
                &[("Location", b"done"), ("Set-Cookie", b"step=1; Path=/")],
                b"moved",
            ),
            "/put" => response("307 Temporary Redirect", &[("Location", b"/put2")], b""),
            "/stay" => response("302 Found", &[("Location", b"/elsewhere")], b""),
            _ => response(
                "200 OK",
                &[],
                format!("{} {}", req.method, req.body.len()).as_bytes(),
            ),
        };
        write_all(&mut s, &bytes).await;
    })
    .await;
    let client = client(|_| {});
    let mut jar = CookieStore::default();

    let post = OutgoingRequest {
        method: "POST".into(),
        url: srv.url("/form"),
        headers: vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        body: b"user=a&pass=b".to_vec(),
    };
    let out = client.send(post, &mut jar, true).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.hops.len(), 2);
    let second = &out.hops[1].request;
    assert_eq!(second.method, "GET");
    assert_eq!(second.url, srv.url("/done").to_string());
    assert!(second.body.is_empty());
    assert_eq!(second.header("content-type"), None);
    assert_eq!(second.header("content-length"), None);
    assert_eq!(
        second.header("cookie"),
        Some("step=1"),
        "cookie set on the redirect is sent on the next hop"
    );
    let got = &srv.requests()[1];
    assert_eq!(
        (got.method.as_str(), got.path.as_str(), got.header("cookie")),
        ("GET", "/done", Some("step=1"))
    );
    assert_eq!(
        out.hops[1].response.as_ref().unwrap().body.text.as_deref(),
        Some("GET 0")
    );

    let put = OutgoingRequest {
        method: "PUT".into(),
        url: srv.url("/put"),
        headers: vec![],
        body: b"12345".to_vec(),
    };
    let out = client.send(put, &mut jar, true).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.hops[1].request.method, "PUT");
    assert_eq!(
        out.hops[1].response.as_ref().unwrap().body.text.as_deref(),
        Some("PUT 5")
    );

    // Not following: the redirect is the final response.
    let out = client.send(get(srv.url("/stay")), &mut jar, false).await;
    assert!(out.error.is_none());
    assert_eq!(out.hops.len(), 1);
    assert_eq!(out.hops[0].response.as_ref().unwrap().status, 302);
}

#[tokio::test]
async fn cross_origin_redirect_is_refused_and_the_other_origin_gets_nothing() {
    let other = serve(|_req, mut s| async move {
        write_all(&mut s, &response("200 OK", &[], b"stolen")).await;
    })
    .await;
    let target = format!("http://localhost:{}/steal", other.addr.port());
    let srv = serve(move |_req, mut s| {
        let target = target.clone();
        async move {
            let bytes = response(
                "302 Found",
                &[
                    ("Set-Cookie", b"sid=secret; Path=/"),
                    ("Location", target.as_bytes()),
                ],
                b"",
            );
            write_all(&mut s, &bytes).await;
        }
    })
    .await;
    let mut jar = CookieStore::default();
    let req = OutgoingRequest {
        method: "GET".into(),
        url: srv.url("/start"),
        headers: vec![("Authorization".into(), "Bearer top-secret".into())],
        body: vec![],
    };
    let out = client(|_| {}).send(req, &mut jar, true).await;
    let err = out.error.clone().unwrap();
    assert_eq!(err.code(), "http.cross-origin-redirect");
    match &err {
        HttpError::CrossOriginRedirect { from, to } => {
            assert!(from.contains("127.0.0.1"), "{from}");
            assert!(to.starts_with("http://localhost:"), "{to}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("cross-origin"), "{err}");
    assert_eq!(out.hops.len(), 1);
    assert_eq!(
        out.hops[0].response.as_ref().unwrap().set_cookies,
        vec!["sid=secret; Path=/".to_string()]
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        other.connections(),
        0,
        "no connection at all to the other origin"
    );
    assert_eq!(other.hits(), 0);
}

#[tokio::test]
async fn body_that_never_ends_stops_at_the_cap() {
    let srv = serve(|_req, mut s| async move {
        if s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        let chunk = [b'a'; 16 * 1024];
        loop {
            let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
            frame.extend_from_slice(&chunk);
            frame.extend_from_slice(b"\r\n");
            if s.write_all(&frame).await.is_err() {
                return;
            }
        }
    })
    .await;
    let cap = 256 * 1024;
    let t = Instant::now();
    let out = client(|c| c.max_body_bytes = cap)
        .send(get(srv.url("/")), &mut CookieStore::default(), true)
        .await;
    assert!(out.error.is_none(), "{:?}", out.error);
    let body = &out.hops[0].response.as_ref().unwrap().body;
    assert_eq!((body.size, body.truncated), (cap, true));
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}

#[tokio::test]
async fn body_that_never_ends_stops_at_the_total_timeout() {
    let srv = serve(|_req, mut s| async move {
        if s.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        loop {
            if s.write_all(b"400\r\n").await.is_err() || s.write_all(&[b'z'; 1024]).await.is_err() {
                return;
            }
            if s.write_all(b"\r\n").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    let t = Instant::now();
    let out = client(|c| {
        c.total_timeout = Duration::from_secs(1);
        c.max_body_bytes = 1 << 30;
    })
    .send(get(srv.url("/")), &mut CookieStore::default(), true)
    .await;
    assert!(
        matches!(
            out.error,
            Some(HttpError::Timeout {
                phase: "total",
                after_ms: 1000,
                ..
            })
        ),
        "{:?}",
        out.error
    );
    let elapsed = t.elapsed();
    assert!(
        elapsed >= Duration::from_millis(950) && elapsed < Duration::from_millis(2500),
        "{elapsed:?}"
    );
    let body = &out.hops[0].response.as_ref().unwrap().body;
    assert!(body.size > 10 * 1024, "partial body kept: {}", body.size);
    assert!(!body.truncated);
}

#[tokio::test]
async fn slowloris_body_stops_at_the_total_timeout() {
    let srv = serve(|_req, mut s| async move {
        if s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
        for _ in 0..1000 {
            if s.write_all(b"x").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .await;
    let t = Instant::now();
    let out = client(|c| {
        c.total_timeout = Duration::from_secs(2);
        c.read_timeout = Duration::from_secs(3);
    })
    .send(get(srv.url("/")), &mut CookieStore::default(), true)
    .await;
    let err = out.error.unwrap();
    assert!(
        matches!(err, HttpError::Timeout { phase: "total", .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "http.timeout");
    assert!(err.to_string().contains("total timeout"), "{err}");
    let elapsed = t.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_millis(3000),
        "{elapsed:?}"
    );
    let resp = out.hops[0].response.as_ref().unwrap();
    assert_eq!(resp.status, 200);
    assert!((1..=3).contains(&resp.body.size), "{}", resp.body.size);
}

#[tokio::test]
async fn silence_hits_the_read_timeout_before_and_during_the_body() {
    let srv = serve(|req, mut s| async move {
        if req.path == "/mid" {
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
                .await;
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
    })
    .await;
    let client = client(|c| c.read_timeout = Duration::from_millis(500));
    for path in ["/head", "/mid"] {
        let t = Instant::now();
        let out = client
            .send(get(srv.url(path)), &mut CookieStore::default(), true)
            .await;
        assert!(
            matches!(
                out.error,
                Some(HttpError::Timeout {
                    phase: "read",
                    after_ms: 500,
                    ..
                })
            ),
            "{path}: {:?}",
            out.error
        );
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "{path}: {:?}",
            t.elapsed()
        );
        assert_eq!(out.hops.len(), 1);
        if path == "/mid" {
            assert_eq!(
                out.hops[0].response.as_ref().unwrap().body.text.as_deref(),
                Some("partial")
            );
        } else {
            assert!(out.hops[0].response.is_none());
        }
    }
}

#[tokio::test]
async fn invalid_utf8_header_bytes_are_recorded_escaped() {
    let srv = serve(|_req, mut s| async move {
        let bytes = response(
            "200 OK",
            &[
                ("X-Weird", b"caf\xe9 \xff\xfe end"),
                ("Set-Cookie", b"lat=\xc3\x28v; Path=/"),
                ("X-Ctl", b"a\x01b"),
                ("X-Fine", b"caf\xc3\xa9"),
                ("Set-Cookie", b"ok=1; Path=/"),
            ],
            b"ok",
        );
        write_all(&mut s, &bytes).await;
    })
    .await;
    let mut jar = CookieStore::default();
    let out = client(|_| {}).send(get(srv.url("/")), &mut jar, true).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    let resp = out.hops[0].response.as_ref().unwrap();
    let weird = resp.headers.iter().find(|h| h.name == "x-weird").unwrap();
    assert_eq!(weird.value, "caf\\xE9 \\xFF\\xFE end");
    assert!(weird.raw_bytes_escaped);
    let fine = resp.headers.iter().find(|h| h.name == "x-fine").unwrap();
    assert_eq!(
        (fine.value.as_str(), fine.raw_bytes_escaped),
        ("café", false)
    );
    assert_eq!(
        resp.set_cookies,
        vec![
            "lat=\\xC3(v; Path=/".to_string(),
            "ok=1; Path=/".to_string()
        ]
    );
    // A header line with a control byte is not valid HTTP: the parser drops it, the exchange goes on.
    assert!(resp.header("x-ctl").is_none());
    assert_eq!(resp.body.text.as_deref(), Some("ok"));
    assert!(jar.get("127.0.0.1", "/", "ok").is_some());
    assert!(
        jar.get("127.0.0.1", "/", "lat").is_none(),
        "non-UTF-8 cookie not stored"
    );
}

#[tokio::test]
async fn hostile_set_cookie_lines_are_recorded_raw_and_skipped_by_the_jar() {
    let big = format!("big={}\tTAB\tmore; Path=/", "v".repeat(10_000));
    let lines: Vec<Vec<u8>> = vec![
        big.clone().into_bytes(),
        b";;;==;; Expires=not a date; Max-Age=abc".to_vec(),
        b"\t=\t".to_vec(),
        b"x=1; Domain=evil.example; Path=/".to_vec(),
        b"ok=1; Path=/".to_vec(),
    ];
    let served = lines.clone();
    let srv = serve(move |_req, mut s| {
        let served = served.clone();
        async move {
            let headers: Vec<(&str, &[u8])> = served
                .iter()
                .map(|l| ("Set-Cookie", l.as_slice()))
                .collect();
            write_all(&mut s, &response("200 OK", &headers, b"done")).await;
        }
    })
    .await;
    let mut jar = CookieStore::default();
    let out = client(|_| {}).send(get(srv.url("/")), &mut jar, true).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    let resp = out.hops[0].response.as_ref().unwrap();
    let expected: Vec<String> = lines
        .iter()
        .map(|l| String::from_utf8(l.clone()).unwrap().trim().to_string())
        .collect();
    assert_eq!(resp.set_cookies, expected);
    assert_eq!(resp.set_cookies[0].len(), big.len());
    assert_eq!(resp.body.text.as_deref(), Some("done"));
    assert!(jar.get("127.0.0.1", "/", "ok").is_some());
    assert!(jar.get_any("evil.example", "/", "x").is_none());
}

#[tokio::test]
async fn content_encodings_are_decoded_and_unknown_ones_kept_raw() {
    let text: Vec<u8> = (0..5000)
        .map(|i| format!("line {i}\n"))
        .collect::<String>()
        .into_bytes();
    let gz = gzip(&text).await;
    let bodies: Vec<(&'static str, &'static str, Vec<u8>)> = vec![
        ("/gzip", "gzip", gz.clone()),
        ("/xgzip", "x-gzip", gz.clone()),
        ("/zlib", "deflate", zlib(&text).await),
        ("/rawdeflate", "deflate", raw_deflate(&text).await),
        ("/br", "br", brotli(&text).await),
        ("/chain", "gzip, br", brotli(&gz).await),
        ("/identity", "identity", text.clone()),
        ("/zstd", "zstd", b"\x28\xb5\x2f\xfdraw".to_vec()),
    ];
    let served = bodies.clone();
    let srv = serve(move |req, mut s| {
        let served = served.clone();
        async move {
            let Some((_, enc, body)) = served.iter().find(|(p, _, _)| *p == req.path) else {
                return;
            };
            write_all(
                &mut s,
                &response("200 OK", &[("Content-Encoding", enc.as_bytes())], body),
            )
            .await;
        }
    })
    .await;
    let client = client(|_| {});
    for (path, enc, _) in &bodies {
        let out = client
            .send(get(srv.url(path)), &mut CookieStore::default(), true)
            .await;
        assert!(out.error.is_none(), "{path}: {:?}", out.error);
        let resp = out.hops[0].response.as_ref().unwrap();
        assert_eq!(
            resp.header("content-encoding"),
            Some(*enc),
            "{path}: original header kept"
        );
        if *path == "/zstd" {
            assert_eq!(resp.body.bytes(), b"\x28\xb5\x2f\xfdraw");
            assert_eq!(undecoded_encoding(resp), Some("zstd".into()));
        } else {
            assert_eq!(resp.body.size, text.len() as u64, "{path}");
            assert!(resp.body.bytes() == text, "{path}: decoded body differs");
            assert_eq!(undecoded_encoding(resp), None, "{path}");
        }
    }
}

#[tokio::test]
async fn decode_error_mid_stream_keeps_what_was_decoded() {
    let text: Vec<u8> = (0..40_000)
        .map(|i| format!("row {i} {}\n", i * 7919 % 1000))
        .collect::<String>()
        .into_bytes();
    let gz = gzip(&text).await;
    let half = gz.len() / 2;
    let total = gz.len();
    let srv = serve(move |_req, mut s| {
        let gz = gz.clone();
        async move {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {total}\r\n\r\n"
            );
            let _ = s.write_all(head.as_bytes()).await;
            let _ = s.write_all(&gz[..half]).await;
            let _ = s.flush().await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let _ = s.write_all(&vec![0xff; total - half]).await;
        }
    })
    .await;
    let out = client(|_| {})
        .send(get(srv.url("/")), &mut CookieStore::default(), true)
        .await;
    let err = out.error.unwrap();
    assert_eq!(err.code(), "http.decode", "{err}");
    let body = &out.hops[0].response.as_ref().unwrap().body;
    assert!(body.size > 0, "decoded prefix kept");
    assert!(body.size < text.len() as u64);
    assert_eq!(body.bytes(), &text[..body.size as usize]);
    match err {
        HttpError::Decode { kept, encoding, .. } => {
            assert_eq!((kept, encoding.as_str()), (body.size, "gzip"))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn closed_port_is_a_connect_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/x")).unwrap();
    let out = client(|_| {})
        .send(get(url), &mut CookieStore::default(), true)
        .await;
    let err = out.error.unwrap();
    assert_eq!(err.code(), "http.connect");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("127.0.0.1:{port}")) && msg.contains("refused"),
        "{msg}"
    );
    assert_eq!(out.hops.len(), 1);
    assert!(out.hops[0].response.is_none());
}

#[tokio::test]
async fn garbage_and_silence_instead_of_http_are_protocol_errors() {
    let srv = serve(|req, mut s| async move {
        if req.path == "/garbage" {
            write_all(&mut s, b"SSH-2.0-OpenSSH_9.0\r\n\r\n\x00\x01\x02").await;
        }
        // "/close": close without a byte.
    })
    .await;
    let client = client(|_| {});
    for path in ["/garbage", "/close"] {
        let out = client
            .send(get(srv.url(path)), &mut CookieStore::default(), true)
            .await;
        let err = out.error.unwrap();
        assert_eq!(err.code(), "http.protocol", "{path}: {err}");
        assert!(err.to_string().contains(&srv.addr.to_string()), "{err}");
    }
}

#[tokio::test]
async fn invalid_location_and_invalid_url_are_errors() {
    let srv = serve(|_req, mut s| async move {
        write_all(
            &mut s,
            &response("302 Found", &[("Location", b"http://[::1")], b""),
        )
        .await;
    })
    .await;
    let client = client(|_| {});
    let out = client
        .send(get(srv.url("/")), &mut CookieStore::default(), true)
        .await;
    assert_eq!(
        out.error.as_ref().map(HttpError::code),
        Some("http.invalid-url")
    );
    assert_eq!(out.hops.len(), 1);

    let ftp = get(url::Url::parse("ftp://127.0.0.1/x").unwrap());
    let out = client.send(ftp, &mut CookieStore::default(), true).await;
    assert_eq!(
        out.error.as_ref().map(HttpError::code),
        Some("http.invalid-url")
    );
    assert!(out.hops.is_empty());

    let bad = OutgoingRequest {
        method: "GE T".into(),
        ..get(srv.url("/"))
    };
    let out = client.send(bad, &mut CookieStore::default(), true).await;
    assert_eq!(
        out.error.as_ref().map(HttpError::code),
        Some("http.invalid-request")
    );
}

#[tokio::test]
async fn one_client_serves_concurrent_exchanges() {
    let srv = serve(|req, mut s| async move {
        let name = req.path.trim_start_matches('/').to_string();
        let cookie = format!("who={name}; Path=/");
        write_all(
            &mut s,
            &response(
                "200 OK",
                &[("Set-Cookie", cookie.as_bytes())],
                name.as_bytes(),
            ),
        )
        .await;
    })
    .await;
    let client = client(|_| {});
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (client, url) = (client.clone(), srv.url(&format!("/n{i}")));
            tokio::spawn(async move {
                let mut jar = CookieStore::default();
                let out = client.send(get(url), &mut jar, true).await;
                (i, out, jar)
            })
        })
        .collect();
    for t in tasks {
        let (i, out, jar) = t.await.unwrap();
        assert!(out.error.is_none());
        assert_eq!(
            out.hops[0].response.as_ref().unwrap().body.text.as_deref(),
            Some(format!("n{i}").as_str())
        );
        assert_eq!(
            jar.get("127.0.0.1", "/", "who").unwrap().value(),
            format!("n{i}")
        );
    }
}
