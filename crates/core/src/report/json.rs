//! JSON report: `{"authlens": "<version>", "runs": [{"run": <Run>, "timeline": <Timeline>}]}`, pretty
//! printed. The run is the same serde shape the history store and the app use, so a report can be read
//! back with `serde_json::from_str::<Run>`.

use serde::Serialize;

use crate::model::Run;
use crate::timeline::Timeline;

#[derive(Serialize)]
struct Report<'a> {
    authlens: &'a str,
    runs: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    run: &'a Run,
    timeline: &'a Timeline,
}

pub fn render(runs: &[(Run, Timeline)]) -> String {
    let report = Report {
        authlens: super::VERSION,
        runs: runs
            .iter()
            .map(|(run, timeline)| Entry { run, timeline })
            .collect(),
    };
    // Every map in these types has string keys, so serialization cannot fail; should it ever, say so in
    // JSON rather than panic.
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| {
        serde_json::json!({"authlens": super::VERSION, "error": format!("cannot serialize the report: {e}")})
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata::{hostile_run, sample_run};

    #[test]
    fn json_report_round_trips_runs_and_timelines() {
        let runs: Vec<(Run, Timeline)> = [sample_run(), hostile_run()]
            .into_iter()
            .map(|r| {
                let t = crate::timeline::build(&r);
                (r, t)
            })
            .collect();
        let out = render(&runs);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["authlens"], crate::report::VERSION);
        assert_eq!(v["runs"].as_array().unwrap().len(), 2);
        let back: Run = serde_json::from_value(v["runs"][1]["run"].clone()).unwrap();
        assert_eq!(back, runs[1].0);
        let tl: Timeline = serde_json::from_value(v["runs"][0]["timeline"].clone()).unwrap();
        assert_eq!(tl, runs[0].1);
        assert!(!out.contains('\x1b'), "JSON escapes control characters");
    }
}
