//! The search: fixed candidates on the calling thread, then wordlists streamed in batches to worker threads.
//!
//! The calling thread reads each source in ~64 KiB batches cut at a line end (a batch knows its first line
//! number), and hands them to one worker per core over a bounded channel; buffers are recycled. Workers
//! check the stop conditions (found, cancel, time limit) once per batch, a few milliseconds of work. A
//! monitor thread reports progress and notices the cancel flag and the deadline even while the reader waits.

use std::io::{ErrorKind, Read};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

#[cfg(target_arch = "x86_64")]
use super::engine::Sha256Family;
use super::engine::{Family, Mac};
#[cfg(target_arch = "x86_64")]
use super::lanes::{LANES, MAX_KEY, Sha256Lanes};
use super::token::Target;
use super::{
    AuditOptions, AuditOutcome, AuditProgress, AuditReport, BLANK_SOURCE, BUILTIN_LIST,
    BUILTIN_SOURCE, FoundSecret, MAX_LINE_LEN, WeakSecretError,
};

/// Bytes of whole lines per batch: ~1–3 ms of hashing, so stopping is quick and locking is rare.
const BATCH: usize = 64 * 1024;
/// How often the progress callback runs.
const TICK: Duration = Duration::from_millis(125);

/// A stream of candidate lines.
pub(super) struct Source<'a> {
    /// Shown in progress and results.
    pub name: String,
    /// Named in errors.
    pub path: PathBuf,
    /// Bytes, when known up front.
    pub size: Option<u64>,
    pub reader: Box<dyn Read + Send + 'a>,
}

/// Why the workers stopped.
const RUNNING: u8 = 0;
const FOUND: u8 = 1;
const CANCELLED: u8 = 2;
const TIMED_OUT: u8 = 3;

/// Whole lines of one source.
struct Batch {
    /// Index into the report's source names.
    source: usize,
    /// 1-based line number of the first line.
    first_line: u64,
    data: Vec<u8>,
}

/// A hit: source index, line, the secret's bytes.
type Hit = (usize, u64, Vec<u8>);

struct Shared<'a> {
    stop: AtomicBool,
    reason: AtomicU8,
    tried: AtomicU64,
    bytes_done: AtomicU64,
    batches_done: AtomicU64,
    found: Mutex<Option<Hit>>,
    cancel: &'a AtomicBool,
    deadline: Option<Instant>,
}

impl Shared<'_> {
    /// Whether to stop; notices a cancel or the deadline (and records why).
    fn should_stop(&self) -> bool {
        if self.stop.load(Ordering::Relaxed) {
            return true;
        }
        if self.cancel.load(Ordering::Relaxed) {
            self.halt(CANCELLED);
            return true;
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            self.halt(TIMED_OUT);
            return true;
        }
        false
    }

    /// Stop everything; the first reason sticks.
    fn halt(&self, reason: u8) {
        let _ = self
            .reason
            .compare_exchange(RUNNING, reason, Ordering::SeqCst, Ordering::SeqCst);
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Keep the earliest hit (source order, then line) when two workers find one.
    fn record(&self, hit: Hit) {
        let mut found = self.found.lock().unwrap_or_else(PoisonError::into_inner);
        if found
            .as_ref()
            .is_none_or(|(s, l, _)| (hit.0, hit.1) < (*s, *l))
        {
            *found = Some(hit);
        }
        drop(found);
        self.halt(FOUND);
    }
}

/// The blank secret, then (when `builtin`) the built-in list, on this thread: (candidates tried, hit).
pub(super) fn try_fixed(target: &Target, builtin: bool) -> (u64, Option<FoundSecret>) {
    if target.matches(b"") {
        return (1, Some(found(BLANK_SOURCE, 1, b"")));
    }
    let mut tried = 1;
    if builtin {
        for (i, line) in BUILTIN_LIST.lines().enumerate() {
            tried += 1;
            if target.matches(line.as_bytes()) {
                return (
                    tried,
                    Some(found(BUILTIN_SOURCE, i as u64 + 1, line.as_bytes())),
                );
            }
        }
    }
    (tried, None)
}

fn found(source: &str, line: u64, secret: &[u8]) -> FoundSecret {
    FoundSecret {
        secret: String::from_utf8_lossy(secret).into_owned(),
        secret_len: secret.len(),
        source: source.to_string(),
        line,
    }
}

/// The whole audit once the token is read and the sources are open.
pub(super) fn run(
    target: &Target,
    opts: &AuditOptions,
    sources: Vec<Source<'_>>,
    cancel: &AtomicBool,
    progress: &(dyn Fn(&AuditProgress) + Sync),
) -> Result<AuditReport, WeakSecretError> {
    let start = Instant::now();
    let mut names = vec![BLANK_SOURCE.to_string()];
    if opts.builtin {
        names.push(BUILTIN_SOURCE.to_string());
    }
    let first_stream = names.len();
    names.extend(sources.iter().map(|s| s.name.clone()));
    let report = |outcome: AuditOutcome, tried: u64, names: Vec<String>| {
        let elapsed = start.elapsed();
        AuditReport {
            alg: target.alg().to_string(),
            outcome,
            tried,
            elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            per_sec: rate(tried, elapsed),
            sources: names,
        }
    };

    if cancel.load(Ordering::Relaxed) {
        return Ok(report(AuditOutcome::Cancelled, 0, names));
    }
    let (fixed_tried, hit) = try_fixed(target, opts.builtin);
    if let Some(hit) = hit {
        return Ok(report(AuditOutcome::Found(hit), fixed_tried, names));
    }
    if sources.is_empty() {
        return Ok(report(AuditOutcome::NotFound, fixed_tried, names));
    }

    let bytes_total = sources.iter().map(|s| s.size).sum::<Option<u64>>();
    let shared = Shared {
        stop: AtomicBool::new(false),
        reason: AtomicU8::new(RUNNING),
        tried: AtomicU64::new(fixed_tried),
        bytes_done: AtomicU64::new(0),
        batches_done: AtomicU64::new(0),
        found: Mutex::new(None),
        cancel,
        deadline: opts.time_limit.and_then(|d| start.checked_add(d)),
    };
    let current = AtomicUsize::new(first_stream);
    let workers = worker_count(opts.threads);
    let (tx, rx) = mpsc::sync_channel::<Batch>(workers * 2);
    // Shared by the workers only: if every one of them is gone, sending fails instead of blocking.
    let rx = Arc::new(Mutex::new(rx));
    let (recycle_tx, recycle_rx) = mpsc::channel::<Vec<u8>>();
    let finished = (Mutex::new(false), Condvar::new());

    let fed = thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (recycle, rx, shared) = (recycle_tx.clone(), rx.clone(), &shared);
                s.spawn(move || work(target, &rx, shared, recycle))
            })
            .collect();
        drop(rx);
        let monitor = s.spawn(|| {
            let snapshot = || {
                let tried = shared.tried.load(Ordering::Relaxed);
                let elapsed = start.elapsed();
                AuditProgress {
                    tried,
                    elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
                    per_sec: rate(tried, elapsed),
                    source: names
                        .get(current.load(Ordering::Relaxed))
                        .cloned()
                        .unwrap_or_default(),
                    bytes_done: shared.bytes_done.load(Ordering::Relaxed),
                    bytes_total,
                }
            };
            let (lock, cvar) = &finished;
            loop {
                let mut wait = TICK;
                if let (Some(d), false) = (shared.deadline, shared.stop.load(Ordering::Relaxed)) {
                    let left = d.saturating_duration_since(Instant::now());
                    wait = wait.min(left.max(Duration::from_millis(1)));
                }
                let done = lock.lock().unwrap_or_else(PoisonError::into_inner);
                let (done, _) = cvar
                    .wait_timeout_while(done, wait, |done| !*done)
                    .unwrap_or_else(PoisonError::into_inner);
                if *done {
                    break;
                }
                drop(done); // not held while the callback runs
                // Notices a cancel or the deadline even when every worker waits on a slow reader.
                shared.should_stop();
                progress(&snapshot());
            }
        });

        let fed = feed(sources, first_stream, tx, &recycle_rx, &shared, &current);
        if fed.is_err() {
            shared.stop.store(true, Ordering::SeqCst); // the queued batches are dropped, not tried
        }
        let mut panicked = None;
        for h in handles {
            if let Err(p) = h.join() {
                panicked = Some(p);
            }
        }
        *finished.0.lock().unwrap_or_else(PoisonError::into_inner) = true;
        finished.1.notify_all();
        if let Err(p) = monitor.join() {
            panicked = Some(p);
        }
        if let Some(p) = panicked {
            std::panic::resume_unwind(p);
        }
        fed
    });

    let tried = shared.tried.load(Ordering::SeqCst);
    let hit = shared
        .found
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some((source, line, secret)) = hit {
        let name = names.get(source).cloned().unwrap_or_default();
        return Ok(report(
            AuditOutcome::Found(found(&name, line, &secret)),
            tried,
            names,
        ));
    }
    let sent = fed?;
    // Everything read and tried: a stop that came after the last batch changes nothing.
    let complete = sent.is_some_and(|n| shared.batches_done.load(Ordering::SeqCst) == n);
    let outcome = match shared.reason.load(Ordering::SeqCst) {
        _ if complete => AuditOutcome::NotFound,
        CANCELLED => AuditOutcome::Cancelled,
        TIMED_OUT => AuditOutcome::TimedOut,
        _ => AuditOutcome::NotFound,
    };
    Ok(report(outcome, tried, names))
}

fn rate(tried: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { tried as f64 / secs } else { 0.0 }
}

fn worker_count(asked: usize) -> usize {
    let n = if asked == 0 {
        thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        asked
    };
    n.clamp(1, 256)
}

/// Read every source into batches for the workers. Ok(Some(batches sent)) when every source was read to
/// its end, Ok(None) when stopped early.
fn feed(
    sources: Vec<Source<'_>>,
    first_stream: usize,
    tx: SyncSender<Batch>,
    recycled: &Receiver<Vec<u8>>,
    shared: &Shared<'_>,
    current: &AtomicUsize,
) -> Result<Option<u64>, WeakSecretError> {
    let mut sent = 0;
    for (i, mut src) in sources.into_iter().enumerate() {
        let index = first_stream + i;
        current.store(index, Ordering::Relaxed);
        let mut line = 1u64;
        let mut carry = Vec::new();
        loop {
            if shared.should_stop() {
                return Ok(None);
            }
            let mut buf = recycled
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(BATCH * 2));
            buf.clear();
            buf.append(&mut carry);
            let eof = fill(&mut src, &mut buf, &mut carry, line)?;
            if buf.is_empty() {
                break;
            }
            let mut lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
            if buf.last() != Some(&b'\n') {
                lines += 1; // the last line, without a newline before the end of the stream
            }
            let batch = Batch {
                source: index,
                first_line: line,
                data: buf,
            };
            if tx.send(batch).is_err() {
                return Ok(None); // every worker is gone: the join reports why
            }
            sent += 1;
            line += lines;
            if eof {
                break;
            }
        }
    }
    Ok(Some(sent))
}

/// Read into `buf` until it holds at least one batch ending at a line end (the partial last line moves to
/// `carry`) or the stream ends. True at the end of the stream.
fn fill(
    src: &mut Source<'_>,
    buf: &mut Vec<u8>,
    carry: &mut Vec<u8>,
    line: u64,
) -> Result<bool, WeakSecretError> {
    let mut want = BATCH;
    let mut searched = 0;
    loop {
        while buf.len() < want {
            let old = buf.len();
            buf.resize(want, 0);
            let n = loop {
                match src.reader.read(&mut buf[old..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(WeakSecretError::Wordlist {
                            path: src.path.clone(),
                            source: e,
                        });
                    }
                }
            };
            buf.truncate(old + n);
            if n == 0 {
                let last_line = memchr::memrchr(b'\n', &buf[searched..])
                    .map_or(buf.len(), |i| buf.len() - (searched + i + 1));
                if last_line > MAX_LINE_LEN {
                    return Err(too_long(src, line, buf));
                }
                return Ok(true);
            }
        }
        if let Some(i) = memchr::memrchr(b'\n', &buf[searched..]) {
            let cut = searched + i + 1;
            carry.extend_from_slice(&buf[cut..]);
            buf.truncate(cut);
            return Ok(false);
        }
        // One line longer than a batch: keep reading it, within reason.
        if buf.len() > MAX_LINE_LEN {
            return Err(too_long(src, line, buf));
        }
        searched = buf.len();
        want = (buf.len() * 2).min(MAX_LINE_LEN + 1);
    }
}

/// The line that starts after the last newline in `buf` is over the limit.
fn too_long(src: &Source<'_>, first_line: u64, buf: &[u8]) -> WeakSecretError {
    WeakSecretError::LineTooLong {
        path: src.path.clone(),
        line: first_line + memchr::memchr_iter(b'\n', buf).count() as u64,
    }
}

/// Take batches until the channel closes; after a stop, only drain them.
fn work(
    target: &Target,
    rx: &Mutex<Receiver<Batch>>,
    shared: &Shared<'_>,
    recycle: mpsc::Sender<Vec<u8>>,
) {
    loop {
        let batch = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(batch) = batch else { return };
        if !shared.should_stop() {
            let (tried, hit) = match target {
                #[cfg(target_arch = "x86_64")]
                Target::Hs256 {
                    mac,
                    lanes: Some(lanes),
                } => scan_lanes(mac, lanes, &batch.data),
                Target::Hs256 { mac, .. } => scan(mac, &batch.data),
                Target::Hs384(m) | Target::Hs512(m) => scan(m, &batch.data),
            };
            shared.tried.fetch_add(tried, Ordering::Relaxed);
            match hit {
                Some((index, range)) => shared.record((
                    batch.source,
                    batch.first_line + index,
                    batch.data[range].to_vec(),
                )),
                None => {
                    shared
                        .bytes_done
                        .fetch_add(batch.data.len() as u64, Ordering::Relaxed);
                    shared.batches_done.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        let _ = recycle.send(batch.data);
    }
}

/// The lines of a batch as byte ranges, without their `\n` or `\r\n`; a last line without a newline too.
struct Lines<'a> {
    data: &'a [u8],
    ends: memchr::Memchr<'a>,
    start: usize,
}

impl<'a> Lines<'a> {
    fn new(data: &'a [u8]) -> Self {
        Lines {
            data,
            ends: memchr::memchr_iter(b'\n', data),
            start: 0,
        }
    }
}

impl Iterator for Lines<'_> {
    type Item = Range<usize>;

    #[inline]
    fn next(&mut self) -> Option<Range<usize>> {
        let start = self.start;
        match self.ends.next() {
            Some(end) => {
                self.start = end + 1;
                let stop = if end > start && self.data[end - 1] == b'\r' {
                    end - 1
                } else {
                    end
                };
                Some(start..stop)
            }
            None if start < self.data.len() => {
                self.start = self.data.len();
                Some(start..self.data.len())
            }
            None => None,
        }
    }
}

/// A batch's outcome: lines tried, and the matching line's index and byte range.
type Scan = (u64, Option<(u64, Range<usize>)>);

/// Try every line of a batch, one at a time.
fn scan<F: Family>(mac: &Mac<F>, data: &[u8]) -> Scan {
    let mut n = 0;
    for line in Lines::new(data) {
        if mac.matches(&data[line.clone()]) {
            return (n + 1, Some((n, line)));
        }
        n += 1;
    }
    (n, None)
}

/// Try every line of a batch, [`LANES`] at a time (longer-than-a-block keys one at a time, in order).
#[cfg(target_arch = "x86_64")]
fn scan_lanes(mac: &Mac<Sha256Family>, lanes: &Sha256Lanes, data: &[u8]) -> Scan {
    let mut pending: [(u64, Range<usize>); LANES] = std::array::from_fn(|_| (0, 0..0));
    let mut waiting = 0;
    // The first match among the pending lines.
    let flush = |pending: &[(u64, Range<usize>); LANES], waiting: usize| {
        let mut keys: [&[u8]; LANES] = [&[]; LANES];
        for (i, key) in keys.iter_mut().enumerate() {
            // Idle lanes repeat the first key; their result is masked out.
            *key = &data[pending[if i < waiting { i } else { 0 }].1.clone()];
        }
        let hits = lanes.matches(&keys) & ((1 << waiting) - 1);
        (hits != 0).then(|| pending[hits.trailing_zeros() as usize].clone())
    };
    let mut n = 0;
    for line in Lines::new(data) {
        if line.len() > MAX_KEY {
            if waiting > 0 {
                if let Some((i, r)) = flush(&pending, waiting) {
                    return (i + 1, Some((i, r)));
                }
                waiting = 0;
            }
            if mac.matches(&data[line.clone()]) {
                return (n + 1, Some((n, line)));
            }
        } else {
            pending[waiting] = (n, line);
            waiting += 1;
            if waiting == LANES {
                if let Some((i, r)) = flush(&pending, waiting) {
                    return (i + 1, Some((i, r)));
                }
                waiting = 0;
            }
        }
        n += 1;
    }
    if waiting > 0
        && let Some((i, r)) = flush(&pending, waiting)
    {
        return (i + 1, Some((i, r)));
    }
    (n, None)
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::super::tests::reference;
    use super::*;

    /// The lanes report the same first match, line and count as the one-at-a-time scan.
    #[test]
    fn lanes_scan_like_the_plain_scan() {
        let msg = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0";
        let secret = b"planted";
        let mac = Mac::sha256(msg, &reference("HS256", secret, msg)).unwrap();
        let Some(lanes) = mac.lanes() else {
            eprintln!("no SHA-NI on this CPU: the lanes are not used here");
            return;
        };
        let long = "L".repeat(100);
        for lines in [0, 1, 3, 4, 5, 9, 40] {
            for planted in (0..lines).chain([usize::MAX]) {
                for long_every in [0, 3, 7] {
                    let mut data = String::new();
                    for i in 0..lines {
                        if i == planted {
                            data.push_str("planted");
                        } else if long_every > 0 && i % long_every == 1 {
                            data.push_str(&long);
                        } else {
                            data.push_str(&format!("w{i}"));
                        }
                        if i + 1 < lines || planted % 2 == 0 {
                            data.push_str(if i % 5 == 2 { "\r\n" } else { "\n" });
                        }
                    }
                    let plain = scan(&mac, data.as_bytes());
                    let fast = scan_lanes(&mac, &lanes, data.as_bytes());
                    assert_eq!(
                        plain, fast,
                        "{lines} lines, planted at {planted}, long every {long_every}"
                    );
                    if planted < lines {
                        let (tried, hit) = fast;
                        let (index, range) = hit.unwrap();
                        assert_eq!((tried, index), (planted as u64 + 1, planted as u64));
                        assert_eq!(&data.as_bytes()[range], secret);
                    } else {
                        assert_eq!(fast, (lines as u64, None));
                    }
                }
            }
        }
        // A long secret, found on the one-at-a-time path between lane groups.
        let secret = long.as_bytes();
        let mac = Mac::sha256(msg, &reference("HS256", secret, msg)).unwrap();
        let lanes = mac.lanes().unwrap();
        let data = format!("a\nb\n{long}\nc\n{long}\n");
        assert_eq!(
            scan_lanes(&mac, &lanes, data.as_bytes()),
            (3, Some((2, 4..104)))
        );
    }
}
