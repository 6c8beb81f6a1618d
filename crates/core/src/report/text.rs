//! The terminal report: header, exchanges, credentials, timeline strips, checklist.
//!
//! Readable without colour: every status is a word or a letter (`[FAIL]`, `A`/`R`/`?`), colour only
//! repeats it. Everything that came from the target goes through [`sanitize`] first.

use std::collections::BTreeMap;

use anstyle::{AnsiColor, Style};

use crate::model::{
    Carrier, FlowEventKind, Millis, Run, RunStatus, SignatureVerdict, Status, Verdict,
};
use crate::timeline::{Lane, Timeline};

use super::{
    evidence_line, expiry_source_name, family, family_rank, fmt_ms, fmt_span, rfc3339, sanitize,
    short_id, status_tag, truncate,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextOptions {
    /// ANSI colours (only when writing to a terminal that wants them).
    pub color: bool,
    /// Terminal width in columns: sizes the timeline strips and shortens long URLs.
    pub width: usize,
    /// Full ids and URLs, cookie/JWT details, evidence and explanations for every finding.
    pub verbose: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            color: false,
            width: 100,
            verbose: false,
        }
    }
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const RED: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const RED_BOLD: Style = RED.bold();
const GREEN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
const YELLOW: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const BLUE: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Blue)));
const CYAN: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
const MAGENTA: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Magenta)));

/// Applies styles only when colour is on. Only ever given sanitized text.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn paint(self, style: Style, s: &str) -> String {
        if self.0 && !s.is_empty() {
            format!("{}{s}{}", style.render(), style.render_reset())
        } else {
            s.to_string()
        }
    }
}

/// Pad with spaces to `width` characters (by char count).
fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

fn line(out: &mut String, s: &str) {
    out.push_str(s);
    out.push('\n');
}

pub fn render(run: &Run, timeline: &Timeline, opts: &TextOptions) -> String {
    let p = Paint(opts.color);
    let mut out = String::new();
    header(&mut out, run, timeline, opts, p);
    exchanges(&mut out, run, opts, p);
    credentials(&mut out, run, opts, p);
    key_sources(&mut out, run, p);
    timeline_section(&mut out, timeline, opts, p);
    scenario_results(&mut out, run, p);
    checklist(&mut out, run, opts, p);
    out
}

/// The keys captured JWTs were verified with: per source, the key ids, where they came from, rotation.
fn key_sources(out: &mut String, run: &Run, p: Paint) {
    if run.jwt_keys.is_empty() {
        return;
    }
    section(out, "Verification keys", p);
    for k in &run.jwt_keys {
        let fetched = match (k.fetched_at, k.from_cache) {
            // A cached key set was usually fetched by an earlier run.
            (Some(at), true) if at < run.started_at => format!(
                " · cached, fetched {} before this run",
                fmt_span(run.started_at.saturating_sub(at))
            ),
            (Some(at), true) => format!(
                " · cached, fetched +{}",
                fmt_span(at.saturating_sub(run.started_at))
            ),
            (Some(_), false) => " · fetched".to_string(),
            _ => String::new(),
        };
        let kids = if k.kids.is_empty() {
            "no keys".to_string()
        } else {
            k.kids.join(", ")
        };
        line(
            out,
            &format!(
                "  {}  {}{fetched}",
                p.paint(BOLD, &sanitize(&k.label)),
                sanitize(&kids)
            ),
        );
        if let Some(r) = &k.rotation {
            line(
                out,
                &format!(
                    "    {} since the previous fetch: new {}; gone {}",
                    p.paint(YELLOW, "key rotation"),
                    if r.added.is_empty() {
                        "none".to_string()
                    } else {
                        sanitize(&r.added.join(", ")).into_owned()
                    },
                    if r.removed.is_empty() {
                        "none".to_string()
                    } else {
                        sanitize(&r.removed.join(", ")).into_owned()
                    }
                ),
            );
        }
        for problem in &k.problems {
            line(
                out,
                &format!("    {} {}", p.paint(YELLOW, "!"), sanitize(problem)),
            );
        }
    }
}

/// One line per measuring-scenario result, grouped by scenario in run order.
fn scenario_results(out: &mut String, run: &Run, p: Paint) {
    if run.results.is_empty() {
        return;
    }
    section(out, "Scenarios", p);
    let mut seen: Vec<&str> = Vec::new();
    for r in &run.results {
        if !seen.contains(&r.scenario.as_str()) {
            seen.push(&r.scenario);
        }
    }
    for scenario in seen {
        line(out, &format!("  {}", p.paint(BOLD, &sanitize(scenario))));
        for r in run.results.iter().filter(|r| r.scenario == scenario) {
            let tag_style = match r.status {
                Status::Fail => RED_BOLD,
                Status::Warn => YELLOW,
                Status::Pass => GREEN,
                Status::Info => BLUE,
                Status::NotTested => DIM,
            };
            let tag = p.paint(tag_style, &format!("[{}]", status_tag(r.status)));
            line(
                out,
                &format!(
                    "    {tag} {}  {}",
                    sanitize(&r.subject),
                    sanitize(&r.summary)
                ),
            );
        }
    }
}

fn header(out: &mut String, run: &Run, timeline: &Timeline, opts: &TextOptions, p: Paint) {
    line(
        out,
        &p.paint(
            BOLD,
            &format!("Authlens run · {}", sanitize(&run.profile_name)),
        ),
    );
    let targets: Vec<String> = run
        .targets
        .iter()
        .map(|t| sanitize(t).into_owned())
        .collect();
    line(
        out,
        &format!(
            "  targets   {}",
            if targets.is_empty() {
                "-".to_string()
            } else {
                targets.join(", ")
            }
        ),
    );
    let id = if opts.verbose {
        &run.id
    } else {
        short_id(&run.id)
    };
    line(out, &format!("  run       {}", sanitize(id)));
    let status_style = match run.status {
        RunStatus::Completed => GREEN,
        RunStatus::Failed => RED_BOLD,
        RunStatus::Cancelled | RunStatus::Running => YELLOW,
    };
    line(
        out,
        &format!("  status    {}", p.paint(status_style, run.status.as_str())),
    );
    let duration = match run.finished_at {
        Some(end) => fmt_span(end.saturating_sub(run.started_at)),
        None => format!(
            "{} so far (not finished)",
            fmt_span(timeline.end.saturating_sub(run.started_at))
        ),
    };
    line(
        out,
        &format!(
            "  started   {}   duration {duration}",
            rfc3339(run.started_at)
        ),
    );
    if let Some(e) = &run.error {
        line(
            out,
            &format!(
                "  error     {}",
                p.paint(
                    RED,
                    &format!("{}: {}", sanitize(&e.code), sanitize(&e.message))
                )
            ),
        );
    }
    if run.revealed {
        line(
            out,
            &p.paint(
                YELLOW,
                "  note      recorded with --reveal: secrets are not masked",
            ),
        );
    }
}

fn section(out: &mut String, title: &str, p: Paint) {
    out.push('\n');
    line(out, &p.paint(BOLD, title));
}

fn exchanges(out: &mut String, run: &Run, opts: &TextOptions, p: Paint) {
    section(out, &format!("Exchanges ({})", run.exchanges.len()), p);
    if run.exchanges.is_empty() {
        line(out, "  (none)");
        return;
    }
    let id_w = run
        .exchanges
        .iter()
        .map(|e| e.id.to_string().len() + 1)
        .max()
        .unwrap_or(2);
    let names: Vec<String> = run
        .exchanges
        .iter()
        .map(|e| {
            let n = format!("{}/{}", e.step.as_str(), sanitize(&e.label));
            if opts.verbose {
                n
            } else {
                truncate(&n, 30).into_owned()
            }
        })
        .collect();
    let name_w = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .min(30);
    let indent = " ".repeat(2 + id_w + 2);
    let folded = if opts.verbose {
        Vec::new()
    } else {
        fold_bulk(&run.exchanges)
    };
    for (i, (e, name)) in run.exchanges.iter().zip(&names).enumerate() {
        if let Some((start, end)) = folded.iter().find(|(a, b)| (*a..*b).contains(&i)) {
            if i == *start {
                line(
                    out,
                    &p.paint(
                        DIM,
                        &format!(
                            "  … {} more {} exchanges (#{}–#{}; --details lists every one)",
                            end - start,
                            purpose_name(e.purpose),
                            e.id,
                            run.exchanges[end - 1].id
                        ),
                    ),
                );
            }
            continue;
        }
        let (method, url) = match e.first_request() {
            Some(r) => (
                sanitize(&r.method).into_owned(),
                sanitize(&r.url).into_owned(),
            ),
            None => ("-".to_string(), "(not sent)".to_string()),
        };
        let (status_text, status_style) = match e.final_status() {
            Some(s) => (s.to_string(), status_colour(s)),
            None => ("no response".to_string(), RED),
        };
        let status = p.paint(status_style, &status_text);
        let timing = fmt_ms(e.duration_ms);
        // Shorten the URL so the line fits, unless verbose.
        let fixed = 2
            + id_w
            + 2
            + name_w
            + 2
            + method.chars().count()
            + 1
            + 3
            + status_text.len()
            + 2
            + timing.len();
        let url = if opts.verbose {
            url
        } else {
            truncate(&url, opts.width.saturating_sub(fixed).max(24)).into_owned()
        };
        line(
            out,
            &format!(
                "  {}  {}  {method} {url} → {status}  {timing}",
                pad(&format!("#{}", e.id), id_w),
                pad(name, name_w)
            ),
        );
        // Redirect hops: every hop but the last answered with a redirect.
        for (i, hop) in e
            .hops
            .iter()
            .enumerate()
            .take(e.hops.len().saturating_sub(1))
        {
            let Some(resp) = &hop.response else { continue };
            let next = resp
                .header("location")
                .map(str::to_string)
                .unwrap_or_else(|| e.hops[i + 1].request.url.clone());
            let next = sanitize(&next);
            let next = if opts.verbose {
                next
            } else {
                truncate(&next, opts.width.saturating_sub(indent.len() + 10).max(24))
            };
            line(out, &format!("{indent}↳ {} → {next}", resp.status));
        }
        if let Some(err) = &e.error {
            line(
                out,
                &format!(
                    "{indent}{}",
                    p.paint(
                        RED,
                        &format!("✗ {}: {}", sanitize(&err.code), sanitize(&err.message))
                    )
                ),
            );
        }
    }
}

/// Runs of many exchanges of a bulk purpose (latency polls, entropy samples): the index ranges to fold,
/// keeping the first two and the last two of each run in view.
fn fold_bulk(exchanges: &[crate::model::Exchange]) -> Vec<(usize, usize)> {
    use crate::model::Purpose;
    const KEEP: usize = 2;
    let bulk = |p: Purpose| matches!(p, Purpose::LatencyPoll | Purpose::EntropySample);
    let mut out = Vec::new();
    let mut i = 0;
    while i < exchanges.len() {
        let p = exchanges[i].purpose;
        let mut j = i;
        while j < exchanges.len() && exchanges[j].purpose == p {
            j += 1;
        }
        if bulk(p) && j - i > 2 * KEEP + 1 {
            out.push((i + KEEP, j - KEEP));
        }
        i = j;
    }
    out
}

fn purpose_name(p: crate::model::Purpose) -> &'static str {
    match p {
        crate::model::Purpose::LatencyPoll => "latency-poll",
        crate::model::Purpose::EntropySample => "entropy-sample",
        _ => "similar",
    }
}

fn status_colour(status: u16) -> Style {
    match status {
        200..=299 => GREEN,
        300..=399 => CYAN,
        400..=499 => YELLOW,
        _ => RED,
    }
}

fn carrier_text(c: &Carrier, verbose: bool) -> String {
    let (what, detail) = match c {
        Carrier::Cookie { name, .. } => ("cookie", name.as_str()),
        Carrier::JsonBody { pointer } => ("JSON", pointer.as_str()),
        Carrier::Header { name } => ("header", name.as_str()),
        Carrier::Html { selector } => ("HTML", selector.as_str()),
        Carrier::Regex { pattern } => ("regex", pattern.as_str()),
    };
    let detail = sanitize(detail);
    let detail = if verbose {
        detail
    } else {
        truncate(&detail, 36).into_owned().into()
    };
    format!("via {what} {detail}")
}

fn expiry_text(
    issued_at: Millis,
    expiry: Option<Millis>,
    source: Option<crate::model::ExpirySource>,
    cookie: bool,
) -> String {
    let src = source.map(expiry_source_name).unwrap_or("declared");
    match expiry {
        Some(e) if e <= issued_at => format!("expired at issue ({src})"),
        Some(e) => format!(
            "expires in {} ({src})",
            fmt_span(e.saturating_sub(issued_at))
        ),
        None if cookie => "session cookie (no expiry)".to_string(),
        None => "no declared expiry".to_string(),
    }
}

fn credentials(out: &mut String, run: &Run, opts: &TextOptions, p: Paint) {
    section(out, &format!("Credentials ({})", run.credentials.len()), p);
    if run.credentials.is_empty() {
        line(out, "  (none)");
        return;
    }
    let label_cap = 24;
    let rows: Vec<[String; 5]> = run
        .credentials
        .iter()
        .map(|c| {
            let is_cookie = matches!(c.carrier, Carrier::Cookie { .. });
            let label = sanitize(&c.label);
            [
                if opts.verbose {
                    label.into_owned()
                } else {
                    truncate(&label, label_cap).into_owned()
                },
                c.kind.as_str().to_string(),
                carrier_text(&c.carrier, opts.verbose),
                format!(
                    "issued +{}",
                    fmt_span(c.issued_at.saturating_sub(run.started_at))
                ),
                expiry_text(c.issued_at, c.declared_expiry, c.expiry_source, is_cookie),
            ]
        })
        .collect();
    // Columns align up to a cap; a longer value (verbose only) just pushes its own line out.
    let caps = [label_cap, 16, 44, 16, 36];
    let widths: Vec<usize> = (0..5)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
                .min(caps[i])
        })
        .collect();
    for (c, row) in run.credentials.iter().zip(&rows) {
        let cols: Vec<String> = row.iter().zip(&widths).map(|(s, w)| pad(s, *w)).collect();
        line(
            out,
            &format!(
                "  {}  {}  {}  {}  {}  {}",
                p.paint(BOLD, &cols[0]),
                cols[1],
                cols[2],
                cols[3],
                cols[4],
                p.paint(
                    DIM,
                    &if c.fingerprint.is_empty() {
                        // Too short to fingerprint safely (see redact::safe_fingerprint).
                        "fp -".to_string()
                    } else {
                        format!("fp {}", sanitize(&c.fingerprint))
                    }
                )
            ),
        );
        if let Some(v) = &c.verification {
            let style = match v.signature {
                SignatureVerdict::Verified => GREEN,
                SignatureVerdict::NoKey | SignatureVerdict::UnsupportedAlg => YELLOW,
                _ => RED_BOLD,
            };
            let claims: Vec<String> = v
                .claims
                .iter()
                .filter(|cc| cc.status != Status::Pass)
                .map(|cc| {
                    format!(
                        "{} {}",
                        cc.claim,
                        status_tag(cc.status).to_ascii_lowercase()
                    )
                })
                .collect();
            line(
                out,
                &format!(
                    "      signature {}: {}{}",
                    p.paint(style, v.signature.as_str()),
                    sanitize(&v.detail),
                    if claims.is_empty() {
                        String::new()
                    } else {
                        format!(" · {}", claims.join(", "))
                    }
                ),
            );
        }
        if opts.verbose {
            let indent = "      ";
            line(
                out,
                &format!(
                    "{indent}issued by exchange #{} ({}) in scenario {}",
                    c.issued_by,
                    c.issued_in.as_str(),
                    sanitize(&c.scenario)
                ),
            );
            if let Some(ck) = &c.cookie {
                let mut attrs = Vec::new();
                if ck.secure {
                    attrs.push("Secure".to_string());
                }
                if ck.http_only {
                    attrs.push("HttpOnly".to_string());
                }
                if let Some(s) = &ck.same_site {
                    attrs.push(format!("SameSite={}", sanitize(s)));
                }
                if let Some(v) = &ck.path {
                    attrs.push(format!("Path={}", sanitize(v)));
                }
                if let Some(v) = &ck.domain {
                    attrs.push(format!("Domain={}", sanitize(v)));
                }
                if let Some(v) = ck.max_age {
                    attrs.push(format!("Max-Age={v}"));
                }
                if ck.partitioned {
                    attrs.push("Partitioned".to_string());
                }
                let stored = if ck.verdict.stored {
                    "stored by a browser"
                } else {
                    "NOT stored by a browser"
                };
                line(
                    out,
                    &format!(
                        "{indent}cookie: {} · {stored}",
                        if attrs.is_empty() {
                            "no attributes".into()
                        } else {
                            attrs.join(" ")
                        }
                    ),
                );
                for n in &ck.verdict.notes {
                    line(out, &format!("{indent}  note: {}", sanitize(n)));
                }
            }
            if let Some(j) = &c.jwt {
                let field = |v: &Option<String>| {
                    v.as_deref()
                        .map(|s| sanitize(s).into_owned())
                        .unwrap_or_else(|| "-".into())
                };
                line(
                    out,
                    &format!(
                        "{indent}JWT: alg {} · typ {} · kid {} · signature {} bytes",
                        field(&j.alg),
                        field(&j.typ),
                        field(&j.kid),
                        j.signature_len
                    ),
                );
                for pr in &j.problems {
                    line(out, &format!("{indent}  problem: {}", sanitize(pr)));
                }
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Cell {
    Empty,
    Live,
    Gap,
    Tick,
    Issued,
    Expiry,
    Mark(Verdict),
}

impl Cell {
    fn glyph(self) -> (char, Option<Style>) {
        match self {
            Cell::Empty => (' ', None),
            Cell::Live => ('─', None),
            Cell::Gap => ('━', Some(RED)),
            Cell::Tick => ('┆', Some(DIM)),
            Cell::Issued => ('●', Some(CYAN)),
            Cell::Expiry => ('┤', Some(DIM)),
            Cell::Mark(Verdict::Accepted) => ('A', Some(GREEN)),
            Cell::Mark(Verdict::Rejected) => ('R', Some(RED)),
            Cell::Mark(Verdict::Inconclusive) => ('?', Some(YELLOW)),
        }
    }
}

/// Maps times onto strip columns. Times are target-controlled (a declared expiry can be near `i64::MAX`
/// or far below zero): every operation saturates.
struct Scale {
    start: Millis,
    span: Millis,
    cols: usize,
}

impl Scale {
    fn col(&self, t: Millis) -> usize {
        let off = t.saturating_sub(self.start).clamp(0, self.span) as f64;
        ((off / self.span as f64) * (self.cols - 1) as f64).round() as usize
    }
    fn contains(&self, t: Millis) -> bool {
        t >= self.start && t <= self.start.saturating_add(self.span)
    }
}

fn event_letter(k: FlowEventKind) -> char {
    match k {
        FlowEventKind::Login => 'L',
        FlowEventKind::Refresh => 'F',
        FlowEventKind::Logout => 'O',
    }
}

fn draw(cells: &[Cell], p: Paint) -> String {
    cells
        .iter()
        .map(|c| {
            let (ch, style) = c.glyph();
            match style {
                Some(s) => p.paint(s, &ch.to_string()),
                None => ch.to_string(),
            }
        })
        .collect()
}

fn lane_cells(lane: &Lane, ticks: &[usize], scale: &Scale) -> Vec<Cell> {
    let mut cells = vec![Cell::Empty; scale.cols];
    let issued = scale.col(lane.issued_at);
    let live_end = match lane.declared_expiry {
        Some(e) if scale.contains(e) => scale.col(e),
        Some(e) if e < scale.start => issued,
        _ => scale.cols - 1,
    };
    for c in cells.iter_mut().take(live_end + 1).skip(issued) {
        *c = Cell::Live;
    }
    for &t in ticks {
        if matches!(cells[t], Cell::Empty | Cell::Live) {
            cells[t] = Cell::Tick;
        }
    }
    if let Some(g) = &lane.revocation_gap {
        for c in cells
            .iter_mut()
            .take(scale.col(g.observed_until) + 1)
            .skip(scale.col(g.from))
        {
            *c = Cell::Gap;
        }
    }
    if let Some(e) = lane
        .declared_expiry
        .filter(|e| scale.contains(*e) && *e > lane.issued_at)
    {
        cells[scale.col(e)] = Cell::Expiry;
    }
    cells[issued] = Cell::Issued;
    // Marks last, in time order: when two share a column the later one shows.
    for m in &lane.marks {
        cells[scale.col(m.at)] = Cell::Mark(m.verdict);
    }
    cells
}

fn timeline_section(out: &mut String, timeline: &Timeline, opts: &TextOptions, p: Paint) {
    section(out, "Timeline", p);
    if timeline.lanes.is_empty() {
        line(out, "  (no credentials captured)");
        return;
    }
    let span = timeline.end.saturating_sub(timeline.start).max(1);
    let label_w = timeline
        .lanes
        .iter()
        .map(|l| sanitize(&l.label).chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, 24);
    // "    label  │strip│  suffix": leave ~34 columns for the suffix.
    let cols = opts
        .width
        .saturating_sub(4 + label_w + 4 + 34)
        .clamp(20, 200);
    let scale = Scale {
        start: timeline.start,
        span,
        cols,
    };
    line(
        out,
        &format!(
            "  0s → {}, one column ≈ {}",
            fmt_span(span),
            fmt_span((span as f64 / (cols - 1) as f64).ceil() as i64)
        ),
    );
    line(
        out,
        &p.paint(DIM, "  ● issued  ─ live  A accepted ✓  R rejected ✗  ? inconclusive  ━ accepted after logout  ┤ declared expiry"),
    );
    line(
        out,
        &p.paint(
            DIM,
            "  events: L login  F refresh  O logout (┆ on each lane)",
        ),
    );

    // Lanes by scenario, in the timeline's order.
    let mut scenarios: Vec<&str> = Vec::new();
    for l in &timeline.lanes {
        if !scenarios.contains(&l.scenario.as_str()) {
            scenarios.push(&l.scenario);
        }
    }
    for scenario in scenarios {
        out.push('\n');
        line(
            out,
            &format!("  scenario {}", p.paint(BOLD, &sanitize(scenario))),
        );
        let events: Vec<_> = timeline
            .events
            .iter()
            .filter(|e| e.scenario == scenario)
            .collect();
        let mut axis = vec!['─'; cols];
        for e in &events {
            axis[scale.col(e.at)] = event_letter(e.kind);
        }
        let axis: String = axis
            .iter()
            .map(|&c| {
                if c == '─' {
                    p.paint(DIM, "─")
                } else {
                    p.paint(MAGENTA, &c.to_string())
                }
            })
            .collect();
        let ev_text: Vec<String> = events
            .iter()
            .map(|e| {
                format!(
                    "{} +{}",
                    event_letter(e.kind),
                    fmt_span(e.at.saturating_sub(timeline.start))
                )
            })
            .collect();
        line(
            out,
            &format!(
                "    {}  │{axis}│  {}",
                pad("events", label_w),
                ev_text.join("  ")
            ),
        );
        let ticks: Vec<usize> = events.iter().map(|e| scale.col(e.at)).collect();
        for lane in timeline.lanes.iter().filter(|l| l.scenario == scenario) {
            let label = truncate(&sanitize(&lane.label), label_w).into_owned();
            let strip = draw(&lane_cells(lane, &ticks, &scale), p);
            let expiry = match lane.declared_expiry {
                Some(e) => format!(
                    "expires +{} after issue ({})",
                    fmt_span(e.saturating_sub(lane.issued_at)),
                    lane.expiry_source
                        .map(expiry_source_name)
                        .unwrap_or("declared")
                ),
                None => "no declared expiry".to_string(),
            };
            let count = |v| lane.marks.iter().filter(|m| m.verdict == v).count();
            let (a, r, i) = (
                count(Verdict::Accepted),
                count(Verdict::Rejected),
                count(Verdict::Inconclusive),
            );
            let mut tally = format!("✓{a} ✗{r}");
            if i > 0 {
                tally.push_str(&format!(" ?{i}"));
            }
            line(
                out,
                &format!(
                    "    {}  │{strip}│  {expiry} · {tally}",
                    pad(&label, label_w)
                ),
            );
            if let Some(g) = &lane.revocation_gap {
                let until = match g.expected_until {
                    Some(e) if e > g.observed_until => format!(
                        "valid until {} (+{} after logout)",
                        lane.expiry_source
                            .map(expiry_source_name)
                            .unwrap_or("its declared expiry"),
                        fmt_span(e.saturating_sub(g.from))
                    ),
                    Some(_) => "its declared expiry has passed since".to_string(),
                    None => "no declared expiry: valid until the server forgets it".to_string(),
                };
                let msg = format!(
                    "REVOCATION GAP: still accepted {} after logout; {until}",
                    fmt_span(g.observed_until.saturating_sub(g.from))
                );
                line(
                    out,
                    &format!("    {}  {}", " ".repeat(label_w), p.paint(RED_BOLD, &msg)),
                );
            }
            if opts.verbose {
                for m in &lane.marks {
                    let v = match m.verdict {
                        Verdict::Accepted => "A accepted",
                        Verdict::Rejected => "R rejected",
                        Verdict::Inconclusive => "? inconclusive",
                    };
                    let status = m.status.map_or("-".to_string(), |s| s.to_string());
                    line(
                        out,
                        &format!(
                            "    {}    +{} {v} (exchange #{}, status {status})",
                            " ".repeat(label_w),
                            fmt_span(m.at.saturating_sub(timeline.start)),
                            m.exchange_id
                        ),
                    );
                }
            }
        }
    }
    let right = format!("+{}", fmt_span(span));
    line(
        out,
        &format!(
            "    {}   {}{}",
            " ".repeat(label_w),
            pad("0s", cols.saturating_sub(right.chars().count())),
            right
        ),
    );
}

fn checklist(out: &mut String, run: &Run, opts: &TextOptions, p: Paint) {
    section(out, "Checklist", p);
    if run.findings.is_empty() {
        line(out, "  (no checks ran)");
    }
    let mut groups: BTreeMap<(usize, String), Vec<&crate::model::Finding>> = BTreeMap::new();
    for f in &run.findings {
        groups
            .entry(family_rank(family(&f.check_id)))
            .or_default()
            .push(f);
    }
    for ((_, fam), findings) in &groups {
        line(out, &format!("  {}", p.paint(BOLD, &sanitize(fam))));
        for f in findings {
            let tag_style = match f.status {
                Status::Fail => RED_BOLD,
                Status::Warn => YELLOW,
                Status::Pass => GREEN,
                Status::Info => BLUE,
                Status::NotTested => DIM,
            };
            let tag = p.paint(tag_style, &format!("[{}]", status_tag(f.status)));
            let sev = if f.status.is_problem() {
                format!(" ({})", f.severity.as_str())
            } else {
                String::new()
            };
            line(
                out,
                &format!(
                    "    {tag} {}{sev}  {}",
                    sanitize(&f.check_id),
                    sanitize(&f.summary)
                ),
            );
            let indent = "           ";
            if opts.verbose {
                line(out, &format!("{indent}{}", sanitize(&f.title)));
            }
            if f.status.is_problem() || opts.verbose {
                let max = if opts.verbose { usize::MAX } else { 4 };
                for e in f.evidence.iter().take(max) {
                    line(
                        out,
                        &format!("{indent}↳ {}", sanitize(&evidence_line(run, e))),
                    );
                }
                if f.evidence.len() > max {
                    line(
                        out,
                        &format!("{indent}↳ … {} more (--verbose)", f.evidence.len() - max),
                    );
                }
            }
            if opts.verbose {
                if !f.explanation.is_empty() {
                    line(out, &format!("{indent}why: {}", sanitize(&f.explanation)));
                }
                for r in &f.references {
                    line(out, &format!("{indent}see: {}", sanitize(r)));
                }
            }
        }
    }
    let count = |s: Status| run.findings.iter().filter(|f| f.status == s).count();
    let mut tally = format!(
        "{} checks: {} pass, {} warn, {} fail, {} not tested",
        run.findings.len(),
        count(Status::Pass),
        count(Status::Warn),
        count(Status::Fail),
        count(Status::NotTested)
    );
    let info = count(Status::Info);
    if info > 0 {
        tally.push_str(&format!(", {info} info"));
    }
    out.push('\n');
    line(out, &p.paint(BOLD, &tally));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata::{hostile_run, sample_run};
    use crate::timeline;

    fn lane_line<'a>(out: &'a str, label: &str) -> &'a str {
        out.lines()
            .find(|l| l.trim_start().starts_with(label) && l.contains('│'))
            .unwrap()
    }

    fn render_run(run: &Run, opts: &TextOptions) -> String {
        render(run, &timeline::build(run), opts)
    }

    #[test]
    fn text_report_has_every_section_and_no_ansi_without_colour() {
        let run = sample_run();
        let out = render_run(&run, &TextOptions::default());
        assert!(!out.contains('\x1b'));
        for s in [
            "Authlens run · demo",
            "Exchanges (9)",
            "Credentials (4)",
            "Timeline",
            "Checklist",
        ] {
            assert!(out.contains(s), "missing {s}");
        }
        assert!(out.contains("  run       0190a1b2-c3d4\n"));
        assert!(out.contains("#3  probe/probe"));
        assert!(out.contains("GET https://app.example.test/api/me → 200  12.3 ms"));
        assert!(out.contains("↳ 303 → /account"));
        assert!(out.contains("✗ http.connect: connection refused"));
        assert!(out.contains("via cookie __Host-sid"));
        assert!(out.contains("session cookie (no expiry)"));
        assert!(out.contains("expires in 5m (JWT exp)"));
        assert!(out.contains("fp "));
        assert!(out.contains("expires +5m after issue (JWT exp)"));
        assert!(
            out.contains("REVOCATION GAP: still accepted 0.4s after logout; no declared expiry")
        );
        assert!(out.contains("[FAIL] session.logout-revokes (high)  session #1 still accepted"));
        assert!(out.contains("[PASS] cookie.httponly  __Host-sid has HttpOnly"));
        assert!(out.contains("[SKIP] transport.https"));
        assert!(out.contains("[INFO] jwt.exp"));
        assert!(out.contains("↳ exchange #7 · session #1 · replay after logout: 200 OK"));
        assert!(out.contains("8 checks: 3 pass, 2 warn, 1 fail, 1 not tested, 1 info"));
        // Families in catalogue order.
        let pos = |s: &str| {
            out.find(&format!("\n  {s}\n"))
                .unwrap_or_else(|| panic!("family {s}"))
        };
        assert!(pos("cookie") < pos("session") && pos("session") < pos("transport"));
        assert!(
            pos("transport") < pos("cache")
                && pos("cache") < pos("jwt")
                && pos("jwt") < pos("refresh")
        );
        // The strip shows the flow events and verdict letters.
        let events_line = out
            .lines()
            .find(|l| l.trim_start().starts_with("events "))
            .unwrap();
        for c in ['L', 'F', 'O'] {
            assert!(events_line.contains(c), "{events_line}");
        }
        let session_lane = lane_line(&out, "session #1 ");
        assert!(
            session_lane.contains('●') && session_lane.contains('A') && session_lane.contains('━'),
            "{session_lane}"
        );
        let access2 = lane_line(&out, "access #2 ");
        assert!(access2.contains('R'), "{access2}");
        // The secret value never appears, only its fingerprint.
        assert!(!out.contains(&run.credentials[1].value));
    }

    #[test]
    fn colour_only_when_asked_and_width_is_respected() {
        let run = sample_run();
        let coloured = render_run(
            &run,
            &TextOptions {
                color: true,
                ..TextOptions::default()
            },
        );
        assert!(coloured.contains("\x1b["));
        for width in [60, 100, 160] {
            let out = render_run(
                &run,
                &TextOptions {
                    width,
                    ..TextOptions::default()
                },
            );
            let lane = lane_line(&out, "session #1 ");
            let strip = lane.split('│').nth(1).unwrap();
            assert_eq!(
                strip.chars().count(),
                width.saturating_sub(4 + 10 + 4 + 34).clamp(20, 200)
            );
        }
        let verbose = render_run(
            &run,
            &TextOptions {
                verbose: true,
                ..TextOptions::default()
            },
        );
        assert!(verbose.contains(&run.id));
        assert!(verbose.contains("cookie: Secure HttpOnly SameSite=Lax Path=/"));
        assert!(verbose.contains("why: Why session.logout-revokes matters."));
    }

    /// Declared expiries are target-controlled: `expires_in: 1e300` saturates to `i64::MAX`, `exp: -9e15`
    /// lands far below zero. Rendering must not overflow (debug builds panic on overflow).
    #[test]
    fn extreme_declared_expiries_render_without_overflow() {
        for expiry in [i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1] {
            let mut run = sample_run();
            for c in &mut run.credentials {
                c.declared_expiry = Some(expiry);
            }
            let mut tl = timeline::build(&run);
            for lane in &mut tl.lanes {
                if let Some(g) = &mut lane.revocation_gap {
                    g.expected_until = Some(expiry);
                }
            }
            for opts in [
                TextOptions::default(),
                TextOptions {
                    verbose: true,
                    ..TextOptions::default()
                },
            ] {
                let out = render(&run, &tl, &opts);
                assert!(out.contains("Timeline"), "{expiry}");
            }
        }
    }

    #[test]
    fn hostile_text_is_neutralised() {
        let run = hostile_run();
        for opts in [
            TextOptions::default(),
            TextOptions {
                verbose: true,
                ..TextOptions::default()
            },
        ] {
            let out = render_run(&run, &opts);
            assert!(!out.contains('\x1b'), "raw ESC leaked");
            assert!(
                !out.chars().any(|c| (c.is_control() && c != '\n')
                    || matches!(c, '\u{202e}' | '\u{9b}' | '\u{fffe}')),
                "control character leaked"
            );
            assert!(out.contains("\\x1b[31mEVIL\\x1b[0m"));
            assert!(out.contains("\\u{202e}"));
            assert!(out.contains("error     flow.step: \\x1b[31m"));
        }
        // With colour on, the only escapes are ours: every ESC starts a plain SGR sequence.
        let out = render_run(
            &run,
            &TextOptions {
                color: true,
                ..TextOptions::default()
            },
        );
        for (i, _) in out.match_indices('\x1b') {
            let rest = &out[i + 1..];
            assert!(rest.starts_with('['));
            let end = rest.find('m').unwrap();
            assert!(
                rest[1..end].chars().all(|c| c.is_ascii_digit() || c == ';'),
                "{:?}",
                &rest[..end]
            );
        }
    }
}
