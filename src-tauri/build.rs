//! Tauri's build step, with the app context (config, capabilities, embedded UI) generated here rather than
//! in a macro, so a rebuilt `ui/dist` is re-embedded on the next cargo build (the macro would keep a stale
//! copy until this crate's sources change).
//!
//! `ui/dist` is the UI build's output and is not committed. When it is missing (a fresh clone, CI, a Rust-only
//! checkout) a one-page placeholder is written there so the crate still builds; the real UI build replaces it.

use std::path::Path;

const PLACEHOLDER: &str = r#"<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Authlens</title>
  </head>
  <body>
    <h1>Authlens</h1>
    <p>The user interface was not built when this binary was compiled.</p>
    <p>Build it (<code>npm --prefix ui ci &amp;&amp; npm --prefix ui run build</code>), then rebuild the app
      (<code>cargo build -p authlens-desktop</code>). The command line works meanwhile: <code>authlens demo</code>.</p>
  </body>
</html>
"#;

fn main() {
    let dist = Path::new("../ui/dist");
    if !dist.join("index.html").exists() {
        if let Err(e) = std::fs::create_dir_all(dist)
            .and_then(|()| std::fs::write(dist.join("index.html"), PLACEHOLDER))
        {
            panic!("cannot write the placeholder {}: {e}", dist.display());
        }
        println!(
            "cargo:warning=ui/dist had no index.html: embedding a placeholder page (build the UI, then rebuild)"
        );
    }
    let attributes = tauri_build::Attributes::new().codegen(tauri_build::CodegenContext::new());
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {e:#}");
    }
}
