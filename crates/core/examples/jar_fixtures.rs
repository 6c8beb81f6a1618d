//! Add (or refresh) the `jars` field of recorded RunView fixtures (`ui/src/lib/fixtures/*.json`), as the
//! desktop's `RunView::of` computes it from the file's `run`. The rest of the file stays byte for byte.
//!
//! cargo run -p authlens-core --example jar_fixtures -- ui/src/lib/fixtures/lab-*.json

use authlens_core::cookies::jar::jar_steps;
use authlens_core::model::Run;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path)?;
        let value: serde_json::Value = serde_json::from_str(&text)?;
        let run: Run = serde_json::from_value(value["run"].clone())?;
        let jars = serde_json::to_string(&jar_steps(&run))?;
        // `jars` is the last field: everything before it (or before the closing brace) is kept as is. The
        // marker cannot occur inside a JSON string, where its quotes would be escaped.
        let body = match text.find(",\"jars\":[") {
            Some(i) => &text[..i],
            None => text
                .trim_end()
                .strip_suffix('}')
                .ok_or("not a JSON object")?,
        };
        std::fs::write(&path, format!("{body},\"jars\":{jars}}}"))?;
        println!(
            "{path}: {} steps",
            value["run"]["exchanges"].as_array().map_or(0, Vec::len)
        );
    }
    Ok(())
}
