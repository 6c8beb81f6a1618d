//! SARIF 2.1.0 for code-scanning dashboards: one SARIF run per Authlens run.
//!
//! Rules are built from the findings themselves (one per check id seen, first finding wins for the
//! texts), so this does not depend on the checks catalogue. Results are emitted for warn and fail
//! findings only (`fail` → level `error`, `warn` → `warning`); each points at the first request URL of
//! its first evidence exchange, else at the run's first target.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::model::{Finding, Run, RunStatus, Severity, Status};

use super::{VERSION, family, rfc3339};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(runs: &[Run]) -> String {
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": runs.iter().map(sarif_run).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| {
        json!({"$schema": SCHEMA, "version": "2.1.0", "runs": [], "error": e.to_string()})
            .to_string()
    })
}

/// GitHub code scanning's `security-severity` scale (0–10).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "0.0",
        Severity::Low => "3.0",
        Severity::Medium => "5.5",
        Severity::High => "8.0",
        Severity::Critical => "9.5",
    }
}

/// `cookie.httponly` → `CookieHttponly`: SARIF wants a rule name that reads as an identifier.
fn rule_name(check_id: &str) -> String {
    check_id
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            cs.next()
                .map(|f| f.to_uppercase().chain(cs).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn rule(f: &Finding, max_severity: Severity) -> Value {
    let mut help = f.explanation.clone();
    if !f.references.is_empty() {
        if !help.is_empty() {
            help.push_str("\n\n");
        }
        help.push_str("References:\n");
        for r in &f.references {
            help.push_str(&format!("- {r}\n"));
        }
    }
    let mut rule = json!({
        "id": f.check_id,
        "name": rule_name(&f.check_id),
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": f.explanation},
        "help": {"text": help},
        "properties": {
            // SARIF wants unique tags; "security" lets GitHub use security-severity.
            "tags": if family(&f.check_id) == "security" { vec!["security"] } else { vec![family(&f.check_id), "security"] },
            "security-severity": security_severity(max_severity),
        },
    });
    if let Some(uri) = f
        .references
        .iter()
        .find(|r| r.starts_with("https://") || r.starts_with("http://"))
        && let Ok(u) = url::Url::parse(uri)
    {
        rule["helpUri"] = json!(u.as_str());
    }
    rule
}

/// A URI that is valid in SARIF (percent-encoded), or None.
fn uri(s: &str) -> Option<String> {
    url::Url::parse(s).ok().map(|u| u.to_string())
}

fn location_of(run: &Run, f: &Finding) -> Option<String> {
    f.evidence
        .iter()
        .filter_map(|e| e.exchange_id)
        .filter_map(|id| run.exchange(id))
        .filter_map(|x| x.first_request())
        .find_map(|r| uri(&r.url))
        .or_else(|| run.targets.iter().find_map(|t| uri(t)))
}

fn sarif_run(run: &Run) -> Value {
    // Rules in first-seen order, each with the highest severity any of its findings carries.
    let mut order: Vec<&str> = Vec::new();
    let mut rules: BTreeMap<&str, (&Finding, Severity)> = BTreeMap::new();
    for f in &run.findings {
        match rules.get_mut(f.check_id.as_str()) {
            Some((_, sev)) => *sev = (*sev).max(f.severity),
            None => {
                order.push(&f.check_id);
                rules.insert(&f.check_id, (f, f.severity));
            }
        }
    }
    let index: BTreeMap<&str, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();

    let results: Vec<Value> = run
        .findings
        .iter()
        .filter(|f| f.status.is_problem())
        .map(|f| {
            let mut r = json!({
                "ruleId": f.check_id,
                "ruleIndex": index[f.check_id.as_str()],
                "level": if f.status == Status::Fail { "error" } else { "warning" },
                "message": {"text": f.summary},
                "properties": {
                    "severity": f.severity.as_str(),
                    "status": f.status.as_str(),
                    "evidence": f.evidence,
                },
            });
            if let Some(uri) = location_of(run, f) {
                r["locations"] = json!([{"physicalLocation": {"artifactLocation": {"uri": uri}}}]);
            }
            r
        })
        .collect();

    let mut invocation = json!({
        "executionSuccessful": run.status == RunStatus::Completed,
        "startTimeUtc": rfc3339(run.started_at),
    });
    if let Some(end) = run.finished_at {
        invocation["endTimeUtc"] = json!(rfc3339(end));
    }
    if let Some(e) = &run.error {
        invocation["toolExecutionNotifications"] = json!([{
            "level": "error",
            "message": {"text": format!("{}: {}", e.code, e.message)},
            "descriptor": {"id": e.code},
        }]);
    }

    json!({
        "tool": {"driver": {
            "name": "Authlens",
            "version": VERSION,
            "semanticVersion": VERSION,
            "rules": order.iter().map(|id| { let (f, sev) = rules[id]; rule(f, sev) }).collect::<Vec<_>>(),
        }},
        "automationDetails": {"id": format!("authlens/{}/{}", run.profile_name, run.id)},
        "invocations": [invocation],
        "results": results,
        "properties": {
            "runId": run.id,
            "profile": run.profile_name,
            "targets": run.targets,
            "status": run.status.as_str(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata::{hostile_run, sample_run};

    fn parse(s: &str) -> Value {
        serde_json::from_str(s).expect("SARIF output is JSON")
    }

    #[test]
    fn sarif_has_the_required_structure() {
        let v = parse(&render(&[sample_run()]));
        assert_eq!(v["$schema"], SCHEMA);
        assert_eq!(v["version"], "2.1.0");
        let runs = v["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1);
        let driver = &runs[0]["tool"]["driver"];
        assert_eq!(driver["name"], "Authlens");
        assert_eq!(driver["version"], VERSION);
        assert!(driver.get("informationUri").is_none());
        let rules = driver["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 8, "one rule per check id seen");
        for r in rules {
            assert!(r["id"].is_string() && r["name"].is_string());
            assert!(r["shortDescription"]["text"].is_string());
            assert!(r["fullDescription"]["text"].is_string());
            assert!(r["help"]["text"].as_str().unwrap().contains("References:"));
            assert_eq!(
                r["properties"]["tags"][0],
                family(r["id"].as_str().unwrap())
            );
        }
        assert_eq!(rules[2]["name"], "SessionLogoutRevokes");

        let results = runs[0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 3, "warn and fail findings only");
        for r in results {
            let id = r["ruleId"].as_str().unwrap();
            let idx = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[idx]["id"], id);
            assert!(matches!(r["level"].as_str().unwrap(), "error" | "warning"));
            assert!(r["message"]["text"].is_string());
            let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(uri.starts_with("https://app.example.test/"), "{uri}");
            assert!(r["properties"]["severity"].is_string());
            assert!(r["properties"]["evidence"].is_array());
        }
        let fail = results
            .iter()
            .find(|r| r["ruleId"] == "session.logout-revokes")
            .unwrap();
        assert_eq!(fail["level"], "error");
        // First evidence exchange is the logout (#6).
        assert_eq!(
            fail["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "https://app.example.test/logout"
        );
        assert_eq!(runs[0]["invocations"][0]["executionSuccessful"], true);
    }

    #[test]
    fn sarif_survives_hostile_text_and_falls_back_to_the_target() {
        let mut run = hostile_run();
        // No evidence exchange: the location is the run's first target.
        for f in &mut run.findings {
            f.evidence.clear();
        }
        let out = render(&[run, sample_run()]);
        assert!(!out.contains('\x1b'));
        let v = parse(&out);
        assert_eq!(v["runs"].as_array().unwrap().len(), 2);
        let r0 = &v["runs"][0];
        assert_eq!(r0["invocations"][0]["executionSuccessful"], false);
        assert!(
            r0["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
                .as_str()
                .unwrap()
                .contains("\x1b[31m")
        );
        for r in r0["results"].as_array().unwrap() {
            assert_eq!(
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                "https://app.example.test/"
            );
        }
    }
}
