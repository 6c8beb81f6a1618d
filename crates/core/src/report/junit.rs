//! JUnit XML for CI: one `<testsuite>` per run, one `<testcase>` per finding, and one per measuring scenario
//! result (scenario × credential, replica or id sample).
//!
//! - `classname` is `authlens.<family>`, `name` the check id; for scenario results
//!   `authlens.scenario.<scenario>` and the subject ("access #1 · expiry", "replica 3 · session #1").
//! - A warn/fail finding whose severity is at least `fail_on` becomes `<failure message="<summary>"
//!   type="<status>/<severity>">` with the evidence in its text.
//! - A warn/fail below the threshold passes, with a `<system-out>` saying what was found.
//! - Not tested becomes `<skipped message="<summary>">`; info findings pass with their summary in
//!   `<system-out>`.
//! - A run that did not complete (failed, cancelled, or still running) gets one more testcase,
//!   `authlens.run` / `run`, holding an `<error>`, so CI never shows an aborted run as green.
//!
//! All text is escaped here; characters XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF) and the ones
//! it discourages or that spoof text (DEL, C1, bidi controls) are written as visible `\x1b`-style escapes.

use crate::model::{Finding, Run, RunStatus, Severity, Status};

use super::{evidence_line, family};

pub fn render(runs: &[Run], fail_on: Severity) -> String {
    let mut suites = String::new();
    let mut totals = Counts::default();
    for run in runs {
        let (suite, counts) = suite(run, fail_on);
        suites.push_str(&suite);
        totals.add(&counts);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"authlens\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3}\">\n",
        totals.tests, totals.failures, totals.errors, totals.skipped, totals.time
    ));
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    time: f64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.tests += o.tests;
        self.failures += o.failures;
        self.errors += o.errors;
        self.skipped += o.skipped;
        self.time += o.time;
    }
}

/// Whether a finding fails the build at this threshold.
pub fn fails(f: &Finding, fail_on: Severity) -> bool {
    f.status.is_problem() && f.severity >= fail_on
}

fn suite(run: &Run, fail_on: Severity) -> (String, Counts) {
    let time = run
        .finished_at
        .map_or(0.0, |end| (end - run.started_at).max(0) as f64 / 1000.0);
    let mut cases = String::new();
    let mut c = Counts {
        time,
        ..Counts::default()
    };
    for f in &run.findings {
        let classname = format!("authlens.{}", family(&f.check_id));
        cases.push_str(&case(
            &mut c,
            &classname,
            &f.check_id,
            (f.status, f.severity),
            &f.summary,
            &details(run, f),
            fail_on,
        ));
    }
    // One testcase per scenario × credential (or replica, or id sample), so dashboards show each.
    for r in &run.results {
        let classname = format!("authlens.scenario.{}", r.scenario);
        let more = r
            .check_id
            .as_deref()
            .map(|id| format!("Feeds {id}.\n"))
            .unwrap_or_default();
        cases.push_str(&case(
            &mut c,
            &classname,
            &r.subject,
            (r.status, r.severity),
            &r.summary,
            &format!("{}\n{more}", r.summary),
            fail_on,
        ));
    }
    if run.status != RunStatus::Completed {
        c.tests += 1;
        c.errors += 1;
        let message = match &run.error {
            Some(e) => format!("run {}: {}: {}", run.status.as_str(), e.code, e.message),
            None => format!("run {}: it did not complete", run.status.as_str()),
        };
        cases.push_str(&format!(
            "    <testcase classname=\"authlens.run\" name=\"run\" time=\"{time:.3}\">\n      <error message=\"{}\" type=\"run/{}\">{}</error>\n    </testcase>\n",
            attr(&message),
            run.status.as_str(),
            text(&message)
        ));
    }

    let mut props = format!(
        "      <property name=\"authlens.version\" value=\"{}\"/>\n      <property name=\"run.id\" value=\"{}\"/>\n      <property name=\"run.status\" value=\"{}\"/>\n      <property name=\"fail-on\" value=\"{}\"/>\n",
        attr(super::VERSION),
        attr(&run.id),
        run.status.as_str(),
        fail_on.as_str()
    );
    for t in &run.targets {
        props.push_str(&format!(
            "      <property name=\"target\" value=\"{}\"/>\n",
            attr(t)
        ));
    }
    let suite = format!(
        "  <testsuite name=\"{}\" id=\"{}\" package=\"authlens\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" timestamp=\"{}\" time=\"{time:.3}\">\n    <properties>\n{props}    </properties>\n{cases}  </testsuite>\n",
        attr(&run.profile_name),
        attr(&run.id),
        c.tests,
        c.failures,
        c.errors,
        c.skipped,
        timestamp(run.started_at),
    );
    (suite, c)
}

/// One `<testcase>`: a failure at or above `fail_on`, a note below it, skipped when not tested.
fn case(
    c: &mut Counts,
    classname: &str,
    name: &str,
    (status, severity): (Status, Severity),
    summary: &str,
    details: &str,
    fail_on: Severity,
) -> String {
    c.tests += 1;
    let open = format!(
        "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
        attr(classname),
        attr(name)
    );
    match status {
        _ if status.is_problem() && severity >= fail_on => {
            c.failures += 1;
            format!(
                "{open}>\n      <failure message=\"{}\" type=\"{}/{}\">{}</failure>\n    </testcase>\n",
                attr(summary),
                status.as_str(),
                severity.as_str(),
                text(details)
            )
        }
        Status::Warn | Status::Fail => {
            let note = format!(
                "{} ({}) below the fail-on threshold ({}): {summary}\n{details}",
                status.as_str(),
                severity.as_str(),
                fail_on.as_str(),
            );
            format!(
                "{open}>\n      <system-out>{}</system-out>\n    </testcase>\n",
                text(&note)
            )
        }
        Status::NotTested => {
            c.skipped += 1;
            format!(
                "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                attr(summary)
            )
        }
        Status::Info => format!(
            "{open}>\n      <system-out>{}</system-out>\n    </testcase>\n",
            text(summary)
        ),
        Status::Pass => format!("{open}/>\n"),
    }
}

/// The failure text: title, summary, evidence, why it matters, references.
fn details(run: &Run, f: &Finding) -> String {
    let mut s = format!("{}\n{}\n", f.title, f.summary);
    if !f.evidence.is_empty() {
        s.push_str("Evidence:\n");
        for e in &f.evidence {
            s.push_str(&format!("- {}\n", evidence_line(run, e)));
        }
    }
    if !f.explanation.is_empty() {
        s.push_str(&format!("Why it matters: {}\n", f.explanation));
    }
    if !f.references.is_empty() {
        s.push_str(&format!("References: {}\n", f.references.join(", ")));
    }
    s
}

/// JUnit's timestamp: ISO 8601 without a zone (the schema's pattern), in UTC.
fn timestamp(ms: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00".to_string())
}

/// Escape for element content. Newlines and tabs stay; `\r` becomes `&#13;` so parsers keep it.
pub(crate) fn text(s: &str) -> String {
    escape(s, false)
}

/// Escape for a double- or single-quoted attribute value. Newlines and tabs become character
/// references, so attribute-value normalisation does not turn them into spaces.
pub(crate) fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, in_attr: bool) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            // Always escaped, which also defuses `]]>` in content.
            '>' => out.push_str("&gt;"),
            '"' if in_attr => out.push_str("&quot;"),
            '\'' if in_attr => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if in_attr => out.push_str("&#10;"),
            '\t' if in_attr => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if xml_unsafe(c) => super::push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Characters XML 1.0 forbids (C0 but tab/newline/CR, U+FFFE, U+FFFF: surrogates cannot occur in a
/// `str`) plus the ones it discourages or that reorder text on screen (DEL, C1, bidi controls): the
/// same set the terminal report escapes.
fn xml_unsafe(c: char) -> bool {
    super::needs_escape(c)
}

#[cfg(test)]
mod tests {
    use quick_xml::events::Event;

    use super::*;
    use crate::report::testdata::{HOSTILE, hostile_run, sample_run};

    struct Parsed {
        /// (element name, attributes) in document order.
        elements: Vec<(String, Vec<(String, String)>)>,
        /// Unescaped text of each element that had any.
        texts: Vec<(String, String)>,
    }

    /// Parse with quick-xml, checking end tags match, attributes are well formed and every entity
    /// reference resolves.
    fn parse(xml: &str) -> Parsed {
        let mut reader = quick_xml::Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        let mut stack: Vec<String> = Vec::new();
        let mut elements = Vec::new();
        let mut texts = Vec::new();
        let mut raw = String::new();
        loop {
            match reader.read_event().unwrap_or_else(|e| {
                panic!(
                    "not well-formed at {}: {e}\n{xml}",
                    reader.buffer_position()
                )
            }) {
                ev @ (Event::Start(_) | Event::Empty(_)) => {
                    let (e, opens) = match ev {
                        Event::Start(e) => (e, true),
                        Event::Empty(e) => (e, false),
                        _ => unreachable!(),
                    };
                    let name = e.name().as_ref().to_string();
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.expect("well-formed attribute");
                            let key = a.key.as_ref().to_string();
                            (
                                key,
                                a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                                    .expect("attribute entities resolve")
                                    .into_owned(),
                            )
                        })
                        .collect();
                    elements.push((name.clone(), attrs));
                    if opens {
                        stack.push(name);
                    }
                    raw.clear();
                }
                Event::Text(t) => raw.push_str(&t),
                Event::GeneralRef(r) => raw.push_str(&format!("&{};", &*r)),
                Event::CData(_) => panic!("no CDATA expected"),
                Event::End(e) => {
                    let name = e.name().as_ref().to_string();
                    assert_eq!(stack.pop().as_deref(), Some(name.as_str()));
                    let t = quick_xml::escape::unescape(&raw)
                        .expect("text entities resolve")
                        .into_owned();
                    if !t.trim().is_empty() {
                        texts.push((name, t));
                    }
                    raw.clear();
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(stack.is_empty(), "unclosed elements {stack:?}");
        Parsed { elements, texts }
    }

    fn attr_of<'a>(el: &'a (String, Vec<(String, String)>), key: &str) -> &'a str {
        el.1.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{key} missing on {el:?}"))
    }

    #[test]
    fn junit_counts_failures_skips_and_thresholds() {
        let xml = render(&[sample_run()], Severity::Medium);
        let p = parse(&xml);
        let suite = p.elements.iter().find(|e| e.0 == "testsuite").unwrap();
        assert_eq!(attr_of(suite, "name"), "demo");
        assert_eq!(attr_of(suite, "tests"), "8");
        assert_eq!(attr_of(suite, "failures"), "1"); // session.logout-revokes (high); the two low warns pass
        assert_eq!(attr_of(suite, "skipped"), "1");
        assert_eq!(attr_of(suite, "errors"), "0");
        assert_eq!(attr_of(suite, "timestamp"), "2025-01-01T00:00:00");
        assert_eq!(attr_of(suite, "time"), "3.410");
        let cases: Vec<_> = p.elements.iter().filter(|e| e.0 == "testcase").collect();
        assert_eq!(cases.len(), 8);
        assert_eq!(attr_of(cases[2], "classname"), "authlens.session");
        assert_eq!(attr_of(cases[2], "name"), "session.logout-revokes");
        let failure = p.elements.iter().find(|e| e.0 == "failure").unwrap();
        assert_eq!(attr_of(failure, "type"), "fail/high");
        assert_eq!(
            attr_of(failure, "message"),
            "session #1 still accepted 0.4s after logout"
        );
        let text = &p.texts.iter().find(|t| t.0 == "failure").unwrap().1;
        assert!(
            text.contains("- exchange #7 · session #1 · replay after logout: 200 OK"),
            "{text}"
        );
        let out = p
            .texts
            .iter()
            .filter(|t| t.0 == "system-out")
            .map(|t| t.1.as_str())
            .collect::<Vec<_>>();
        assert!(
            out.iter()
                .any(|t| t.starts_with("warn (low) below the fail-on threshold (medium)")),
            "{out:?}"
        );

        // At `low`, the warns fail too.
        let p = parse(&render(&[sample_run()], Severity::Low));
        let suite = p.elements.iter().find(|e| e.0 == "testsuite").unwrap();
        assert_eq!(attr_of(suite, "failures"), "3");
    }

    #[test]
    fn junit_neutralises_hostile_text() {
        let run = hostile_run();
        let xml = render(&[run.clone(), sample_run()], Severity::Info);
        let p = parse(&xml);
        // Nothing XML 1.0 forbids, no raw ESC, no CDATA section opened by the target.
        assert!(
            !xml.chars()
                .any(|c| (c < ' ' && !matches!(c, '\t' | '\n')) || c == '\u{fffe}'),
            "{xml:?}"
        );
        assert!(!xml.contains("]]>") && !xml.contains("<![CDATA["));
        let suites: Vec<_> = p.elements.iter().filter(|e| e.0 == "testsuite").collect();
        assert_eq!(suites.len(), 2);
        assert!(
            attr_of(suites[0], "name")
                .starts_with("demo \\x1b[31mEVIL\\x1b[0m ]]><![CDATA[ <x a=\"q\"> & 'apos' \\x00")
        );
        // The aborted run is an error; the hostile summary survives as text, quotes and all.
        assert_eq!(attr_of(suites[0], "errors"), "1");
        let failure = p.elements.iter().find(|e| e.0 == "failure").unwrap();
        assert!(attr_of(failure, "message").contains("<x a=\"q\"> & 'apos'"));
        assert!(
            attr_of(failure, "message").contains("\r\n"),
            "CR LF survive in attributes as references"
        );
        assert!(!HOSTILE.is_empty());
    }
}
