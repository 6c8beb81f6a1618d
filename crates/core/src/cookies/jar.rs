//! The cookie jar as it stood after each exchange of a recorded run.
//!
//! Every hop's Set-Cookie lines are replayed, in exchange order, against the hop's request URL into a
//! `cookie_store` jar, the same store and the same calls as the runner's HTTP client, so domain and path
//! matching, replacement and deletion behave as they did during the run. Nothing is sent anywhere.
//!
//! Which jar an exchange touched follows `flow` (see `flow/mod.rs`, `flow/replay.rs`):
//! - each scenario (lifecycle, rotation) has its own jar, empty at its first step (the prefetch, or the
//!   login when there is none); a later scenario starts again from an empty jar;
//! - replays (`purpose` other than flow) are sent on a throw-away copy of the scenario's jar, and the
//!   plain-http probe on an empty jar of its own: their Set-Cookie lines never reach the scenario's jar,
//!   so those steps show the scenario's jar unchanged and list what they received as "not kept".
//!
//! Recorded times drive expiry, not the clock of the machine doing the replay: each hop's receipt time is
//! mapped onto one anchor instant (Max-Age and Expires both become "that long after receipt"), and a cookie
//! whose expiry has passed by the end of a later exchange leaves the jar as expired. Stored runs are
//! redacted (`sid=‹I80MT2… #0f06eb7b3029›`): values are shown as captured, and lengths come from the
//! run's credentials when the value is masked. Nothing here panics on hostile lines.

use std::collections::{BTreeMap, BTreeSet};

use cookie_store::{CookieStore, RawCookie, StoreAction};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::analyse_set_cookie;
use crate::model::{
    Carrier, CookieVerdict, Exchange, FlowEventKind, Hop, Millis, Purpose, Run, StepKind,
};

/// The jar after one exchange. One per exchange of the run, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct JarStep {
    pub exchange_id: u32,
    pub step: StepKind,
    pub purpose: Purpose,
    /// The exchange's label: "login", "refresh (rotation 1)", "replay session #1 after logout"...
    pub label: String,
    /// The scenario whose jar this is ("lifecycle", "rotation").
    pub scenario: String,
    /// When the exchange ended (Unix ms); the jar is shown as of this moment.
    pub at: Millis,
    /// False for replays and the plain-http probe: they used a jar of their own, discarded afterwards.
    pub applied: bool,
    /// The scenario's jar after the exchange, ordered by domain, path and name; cookies it lost during
    /// the exchange are listed too, with change `deleted` or `expired`.
    pub cookies: Vec<JarCookie>,
    /// Every Set-Cookie line of the exchange, in order, and what became of it.
    pub received: Vec<ReceivedCookie>,
}

/// One cookie in the jar, with the attributes the jar holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct JarCookie {
    pub name: String,
    /// The host that set it (host-only cookies) or the Domain attribute.
    pub domain: String,
    /// No Domain attribute: sent back to the setting host only.
    pub host_only: bool,
    pub path: String,
    pub secure: bool,
    pub http_only: bool,
    /// "Strict" | "Lax" | "None"; None when absent or not understood (see the verdict's notes).
    pub same_site: Option<String>,
    pub partitioned: bool,
    /// Unix ms the jar drops it; None: a session cookie (kept until the browser closes).
    pub expires: Option<Millis>,
    /// The value as captured: redacted (`‹…›`) unless the run was revealed.
    pub value: String,
    /// Length of the real value; None when it is redacted and no credential records it.
    pub value_len: Option<usize>,
    /// The exchange whose Set-Cookie put this version in the jar.
    pub set_by: u32,
    /// What a browser would make of that Set-Cookie line (None when our parser refused the line the jar
    /// took).
    pub verdict: Option<CookieVerdict>,
    pub change: JarChange,
}

/// How a cookie changed during the step, compared with the jar after the previous step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum JarChange {
    Added,
    /// Set again (new value, new attributes, or the same ones with a fresh expiry).
    Updated,
    Unchanged,
    /// Removed by a Set-Cookie (Max-Age=0, Expires in the past); shown as it was before.
    Deleted,
    /// Its expiry passed before the step ended; shown as it was before.
    Expired,
}

impl JarChange {
    /// Whether the cookie is still in the jar after the step.
    pub fn in_jar(self) -> bool {
        !matches!(self, JarChange::Deleted | JarChange::Expired)
    }
}

/// One Set-Cookie line of a step and what the jar did with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ReceivedCookie {
    /// 1-based hop within the exchange (redirects add hops).
    pub hop: u32,
    /// The request URL the line answered.
    pub url: String,
    /// The cookie name, when the line has one.
    pub name: Option<String>,
    /// The line as captured (values redacted unless revealed).
    pub line: String,
    pub outcome: JarOutcome,
    /// Why it was refused or not kept.
    pub reason: Option<String>,
    /// What a browser would make of the line; None when the line does not parse.
    pub verdict: Option<CookieVerdict>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum JarOutcome {
    Added,
    Updated,
    /// It removed a cookie from the jar.
    Deleted,
    /// The jar did not take it (malformed, domain mismatch, a deletion of nothing...).
    Refused,
    /// Received on a throw-away jar (a replay, the plain-http probe).
    NotKept,
}

/// (domain, path, name): how the jar keys cookies.
type Key = (String, String, String);

/// The jar after each exchange of `run`, one [`JarStep`] per exchange in order.
pub fn jar_steps(run: &Run) -> Vec<JarStep> {
    let mut exchanges: Vec<&Exchange> = run.exchanges.iter().collect();
    exchanges.sort_by_key(|e| e.id);
    let anchor = OffsetDateTime::now_utc();
    let mut scenarios = Scenarios::new(run);
    let mut jar = Jar::new(anchor);
    let mut steps = Vec::with_capacity(exchanges.len());
    for (i, ex) in exchanges.iter().enumerate() {
        if starts_scenario(&exchanges, i) {
            scenarios.next(ex, exchanges.get(i + 1).copied());
            jar = Jar::new(anchor);
        }
        let applied = ex.purpose == Purpose::Flow;
        let before = jar.snapshot();
        let mut received = Vec::new();
        let mut touched = BTreeSet::new();
        let mut deleted = BTreeSet::new();
        for (h, hop) in ex.hops.iter().enumerate() {
            let hop_no = u32::try_from(h + 1).unwrap_or(u32::MAX);
            for line in hop.response.iter().flat_map(|r| r.set_cookies.iter()) {
                let r = if applied {
                    jar.receive(run, ex.id, hop, line, &mut touched, &mut deleted)
                } else {
                    not_kept(hop, line, ex.purpose)
                };
                received.push(ReceivedCookie { hop: hop_no, ..r });
            }
        }
        let at = end_of(ex);
        let expired = jar.expire_by(at);
        let cookies = diff(&before, &jar.snapshot(), &touched, &deleted, &expired);
        steps.push(JarStep {
            exchange_id: ex.id,
            step: ex.step,
            purpose: ex.purpose,
            label: ex.label.clone(),
            scenario: scenarios.current.clone(),
            at,
            applied,
            cookies,
            received,
        });
    }
    steps
}

/// A new scenario starts at a flow prefetch, or at a flow login not preceded by its prefetch: the runner
/// begins every scenario with `login()`, and only it sends those two steps.
fn starts_scenario(exchanges: &[&Exchange], i: usize) -> bool {
    let ex = exchanges[i];
    if ex.purpose != Purpose::Flow {
        return i == 0;
    }
    match ex.step {
        StepKind::Prefetch => true,
        StepKind::Login => !i
            .checked_sub(1)
            .and_then(|p| exchanges.get(p))
            .is_some_and(|p| p.purpose == Purpose::Flow && p.step == StepKind::Prefetch),
        _ => i == 0,
    }
}

/// Names the scenarios as they start: from the login event the runner recorded, else by position in the
/// run's scenario list.
struct Scenarios<'r> {
    run: &'r Run,
    index: usize,
    current: String,
}

impl<'r> Scenarios<'r> {
    fn new(run: &'r Run) -> Self {
        Scenarios {
            run,
            index: 0,
            current: run.scenarios.first().cloned().unwrap_or_default(),
        }
    }

    fn next(&mut self, first: &Exchange, following: Option<&Exchange>) {
        let login = if first.step == StepKind::Prefetch {
            following.filter(|e| e.step == StepKind::Login)
        } else {
            Some(first)
        };
        let from_event = login.and_then(|l| {
            self.run
                .events
                .iter()
                .find(|e| e.kind == FlowEventKind::Login && e.exchange_id == l.id)
                .map(|e| e.scenario.clone())
        });
        self.current = from_event
            .or_else(|| self.run.scenarios.get(self.index).cloned())
            .unwrap_or_else(|| format!("scenario {}", self.index + 1));
        self.index += 1;
    }
}

/// The exchange's end, Unix ms.
fn end_of(ex: &Exchange) -> Millis {
    ex.started_at.saturating_add(ms_of(ex.duration_ms))
}

/// When a hop's response head arrived, Unix ms.
fn received_at(hop: &Hop) -> Millis {
    hop.started_at.saturating_add(ms_of(hop.ttfb_ms))
}

fn ms_of(f: f64) -> Millis {
    // `as` saturates and maps NaN to 0: a hostile or corrupt record cannot panic here.
    f.max(0.0).round() as Millis
}

fn not_kept(hop: &Hop, line: &str, purpose: Purpose) -> ReceivedCookie {
    let (name, verdict) = read_line(hop, line);
    let reason = match purpose {
        Purpose::PlainHttp => {
            "the plain-http probe used an empty jar of its own, then discarded it"
        }
        _ => "the replay used a copy of the scenario's jar, then discarded it",
    };
    ReceivedCookie {
        hop: 0,
        url: hop.request.url.clone(),
        name,
        line: line.to_string(),
        outcome: JarOutcome::NotKept,
        reason: Some(reason.to_string()),
        verdict,
    }
}

/// The name and the browser's verdict of a line, when it parses.
fn read_line(hop: &Hop, line: &str) -> (Option<String>, Option<CookieVerdict>) {
    let analysis = url::Url::parse(&hop.request.url)
        .ok()
        .and_then(|u| analyse_set_cookie(line, &u, received_at(hop)).ok());
    match analysis {
        Some(a) => (Some(a.info.name), Some(a.info.verdict)),
        None => (
            RawCookie::parse(line).ok().map(|c| c.name().to_string()),
            None,
        ),
    }
}

/// What we know of a cookie in the jar beyond what the jar holds.
#[derive(Debug, Clone)]
struct Meta {
    set_by: u32,
    /// Real expiry, Unix ms (the jar holds it on the anchored clock).
    expires: Option<Millis>,
    value_len: Option<usize>,
    verdict: Option<CookieVerdict>,
}

/// A scenario's jar on an anchored clock: the jar believes "now" is `anchor` whichever hop it reads.
struct Jar {
    store: CookieStore,
    anchor: OffsetDateTime,
    meta: BTreeMap<Key, Meta>,
}

impl Jar {
    fn new(anchor: OffsetDateTime) -> Self {
        Jar {
            store: CookieStore::default(),
            anchor,
            meta: BTreeMap::new(),
        }
    }

    /// One Set-Cookie line into the jar, as `http::headers::store_cookies` does during a run.
    fn receive(
        &mut self,
        run: &Run,
        exchange_id: u32,
        hop: &Hop,
        line: &str,
        touched: &mut BTreeSet<Key>,
        deleted: &mut BTreeSet<Key>,
    ) -> ReceivedCookie {
        let (name, verdict) = read_line(hop, line);
        let mut out = ReceivedCookie {
            hop: 0,
            url: hop.request.url.clone(),
            name,
            line: line.to_string(),
            outcome: JarOutcome::Refused,
            reason: None,
            verdict: verdict.clone(),
        };
        // The runner skips Set-Cookie bytes that are not UTF-8; the record keeps them escaped.
        if was_not_utf8(hop, line) {
            out.reason = Some("not UTF-8: the jar skipped it".into());
            return out;
        }
        let Ok(url) = url::Url::parse(&hop.request.url) else {
            out.reason = Some("the request URL does not parse".into());
            return out;
        };
        let Ok(mut raw) = RawCookie::parse(line) else {
            out.reason = Some("malformed: no name=value pair the jar can read".into());
            return out;
        };
        let t = received_at(hop);
        self.anchor_times(&mut raw, t);
        let cookie = match cookie_store::Cookie::try_from_raw_cookie(&raw, &url) {
            Ok(c) => c.into_owned(),
            Err(e) => {
                out.reason = Some(e.to_string());
                return out;
            }
        };
        let key: Key = (
            String::from(&cookie.domain),
            String::from(&cookie.path),
            cookie.name().to_string(),
        );
        let expires = self.real_expiry(&cookie, t);
        let value = cookie.value().to_string();
        match self.store.insert(cookie, &url) {
            Ok(StoreAction::Inserted | StoreAction::UpdatedExisting) => {
                out.outcome = if self.meta.contains_key(&key) {
                    JarOutcome::Updated
                } else {
                    JarOutcome::Added
                };
                let value_len = value_len(run, exchange_id, &key.2, &value);
                self.meta.insert(
                    key.clone(),
                    Meta {
                        set_by: exchange_id,
                        expires,
                        value_len,
                        verdict,
                    },
                );
                deleted.remove(&key);
                touched.insert(key);
            }
            Ok(StoreAction::ExpiredExisting) => {
                out.outcome = JarOutcome::Deleted;
                self.forget(&key);
                touched.remove(&key);
                deleted.insert(key);
            }
            Err(cookie_store::CookieError::Expired) => {
                out.reason = Some("already expired, and no such cookie to delete".into());
            }
            Err(e) => out.reason = Some(e.to_string()),
        }
        out
    }

    /// Max-Age and Expires rewritten as "this long after `anchor`", the jar's idea of now for this hop.
    fn anchor_times(&self, raw: &mut RawCookie<'_>, received: Millis) {
        let after = match (raw.max_age(), raw.expires_datetime()) {
            // Zero and negative Max-Age stay as sent: the jar reads them as deletions.
            (Some(d), _) if d <= Duration::ZERO => return,
            (Some(d), _) => d,
            (None, Some(at)) => {
                let at_ms =
                    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
                Duration::milliseconds(at_ms.saturating_sub(received))
            }
            (None, None) => return,
        };
        // Out of range (a Max-Age of centuries): leave it; the jar caps it at year 9999 itself.
        if let Some(at) = self.anchor.checked_add(after) {
            raw.set_max_age(None);
            raw.set_expires(at);
        }
    }

    /// The cookie's expiry in recorded time, Unix ms.
    fn real_expiry(&self, cookie: &cookie_store::Cookie<'_>, received: Millis) -> Option<Millis> {
        match &cookie.expires {
            cookie_store::CookieExpiration::SessionEnd => None,
            cookie_store::CookieExpiration::AtUtc(at) => {
                let after = (*at - self.anchor).whole_milliseconds();
                let after =
                    i64::try_from(after).unwrap_or(if after < 0 { i64::MIN } else { i64::MAX });
                Some(received.saturating_add(after))
            }
        }
    }

    fn forget(&mut self, key: &Key) {
        self.store.remove(&key.0, &key.1, &key.2);
        self.meta.remove(key);
    }

    /// Take out every cookie whose expiry is at or before `at`; returns their keys.
    fn expire_by(&mut self, at: Millis) -> BTreeSet<Key> {
        let gone: BTreeSet<Key> = self
            .meta
            .iter()
            .filter(|(_, m)| m.expires.is_some_and(|e| e <= at))
            .map(|(k, _)| k.clone())
            .collect();
        for k in &gone {
            self.forget(k);
        }
        gone
    }

    /// The cookies in the jar now, keyed as the jar keys them.
    fn snapshot(&self) -> BTreeMap<Key, JarCookie> {
        self.store
            .iter_any()
            // Deleted cookies linger in the store as expired at the epoch: not in the jar.
            .filter(|c| !c.expires_by(&self.anchor))
            .filter_map(|c| {
                let key: Key = (
                    String::from(&c.domain),
                    String::from(&c.path),
                    c.name().to_string(),
                );
                let m = self.meta.get(&key)?;
                let cookie = JarCookie {
                    name: key.2.clone(),
                    domain: key.0.clone(),
                    host_only: matches!(c.domain, cookie_store::CookieDomain::HostOnly(_)),
                    path: key.1.clone(),
                    secure: c.secure().unwrap_or(false),
                    http_only: c.http_only().unwrap_or(false),
                    same_site: c.same_site().map(|s| s.to_string()),
                    partitioned: c.partitioned().unwrap_or(false),
                    expires: m.expires,
                    value: c.value().to_string(),
                    value_len: m.value_len,
                    set_by: m.set_by,
                    verdict: m.verdict.clone(),
                    change: JarChange::Unchanged,
                };
                Some((key, cookie))
            })
            .collect()
    }
}

/// Whether the hop's headers say this Set-Cookie line arrived with bytes that are not UTF-8.
fn was_not_utf8(hop: &Hop, line: &str) -> bool {
    hop.response.as_ref().is_some_and(|r| {
        r.headers.iter().any(|h| {
            h.raw_bytes_escaped && h.name.eq_ignore_ascii_case("set-cookie") && h.value == line
        })
    })
}

/// The real value's length: from the credential this Set-Cookie carried when there is one (credentials
/// keep it through redaction), from a `‹redacted, N chars›` mask, or from the value itself when it is not
/// masked.
fn value_len(run: &Run, exchange_id: u32, name: &str, value: &str) -> Option<usize> {
    let from_credential = run.credentials.iter().find_map(|c| match &c.carrier {
        Carrier::Cookie { name: n, .. }
            if n == name && c.issued_by == exchange_id && c.value == value =>
        {
            c.cookie.as_ref().map(|k| k.value_len)
        }
        _ => None,
    });
    if from_credential.is_some() {
        return from_credential;
    }
    if !value.starts_with('‹') {
        return Some(value.len());
    }
    value
        .strip_prefix("‹redacted, ")
        .and_then(|r| r.strip_suffix(" chars›"))
        .and_then(|n| n.parse().ok())
}

/// The jar after a step against the jar before it: every cookie now in it, marked added, updated or
/// unchanged, then the ones it lost, marked deleted or expired.
fn diff(
    before: &BTreeMap<Key, JarCookie>,
    after: &BTreeMap<Key, JarCookie>,
    touched: &BTreeSet<Key>,
    deleted: &BTreeSet<Key>,
    expired: &BTreeSet<Key>,
) -> Vec<JarCookie> {
    let mut out: Vec<JarCookie> = after
        .iter()
        .map(|(k, c)| {
            let change = match (before.contains_key(k), touched.contains(k)) {
                (false, _) => JarChange::Added,
                (true, true) => JarChange::Updated,
                (true, false) => JarChange::Unchanged,
            };
            JarCookie {
                change,
                ..c.clone()
            }
        })
        .collect();
    for (k, c) in before {
        if after.contains_key(k) {
            continue;
        }
        // A cookie set and then expired within the step counts as expired; one a Set-Cookie removed, deleted.
        let change = if deleted.contains(k) && !expired.contains(k) {
            JarChange::Deleted
        } else {
            JarChange::Expired
        };
        out.push(JarCookie {
            change,
            ..c.clone()
        });
    }
    out
}

#[cfg(test)]
mod tests;
