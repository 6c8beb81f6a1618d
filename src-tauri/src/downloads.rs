//! Exports leave the webview as downloads: the timeline as SVG or PNG is a `blob:` URL the UI creates and
//! clicks. WebKitGTK saves nothing unless the app decides where, so the main window's download handler
//! accepts exactly those (nothing the webview could fetch from elsewhere) and saves them in the user's
//! Downloads folder (`AUTHLENS_DOWNLOAD_DIR` moves it) under a sanitized name that never overwrites a file.

use std::path::{Path, PathBuf};

use tauri::Url;
use tauri::webview::DownloadEvent;

const MAX_NAME: usize = 100;

/// The folder exports land in.
pub fn download_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("AUTHLENS_DOWNLOAD_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::download_dir()
        .or_else(|| dirs::home_dir().map(|h| h.join("Downloads")))
        .unwrap_or_else(std::env::temp_dir)
}

/// The download handler: true lets the download go on.
pub fn handle(event: DownloadEvent<'_>) -> bool {
    match event {
        DownloadEvent::Requested { url, destination } => match target_for(&url, destination) {
            Some(path) => {
                *destination = path;
                true
            }
            None => false,
        },
        DownloadEvent::Finished { path, success, .. } => {
            match (success, path) {
                (true, Some(p)) => tracing::info!(path = %p.display(), "export saved"),
                (true, None) => tracing::info!("export saved"),
                (false, _) => tracing::warn!("export download failed"),
            }
            true
        }
        _ => false,
    }
}

/// Where an accepted download goes, or None to refuse it.
fn target_for(url: &Url, suggested: &Path) -> Option<PathBuf> {
    if url.scheme() != "blob" {
        tracing::warn!(
            scheme = url.scheme(),
            "download refused: only the app's own exports are saved"
        );
        return None;
    }
    let dir = download_dir();
    if let Err(e) = std::fs::create_dir_all(&dir) {
        tracing::warn!(dir = %dir.display(), "export not saved: cannot create the folder: {e}");
        return None;
    }
    let name = sanitize(suggested.file_name().and_then(|n| n.to_str()).unwrap_or(""));
    Some(unique(&dir, &name))
}

/// Letters, digits, `-`, `_` and `.` only, no leading dot, bounded length; a fixed name when nothing is left.
fn sanitize(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(MAX_NAME)
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        "authlens-export".into()
    } else {
        clean
    }
}

/// `name`, or `stem (2).ext`, `stem (3).ext`... whichever does not exist yet (bounded: then a timestamp).
fn unique(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    for n in 2..1000 {
        let p = dir.join(format!("{stem} ({n}){ext}"));
        if !p.exists() {
            return p;
        }
    }
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    dir.join(format!("{stem}-{ms}{ext}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitized() {
        assert_eq!(
            sanitize("authlens-timeline-01ab_cd-run.svg"),
            "authlens-timeline-01ab_cd-run.svg"
        );
        assert_eq!(sanitize("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(sanitize(".bashrc"), "bashrc");
        assert_eq!(sanitize(""), "authlens-export");
        assert_eq!(sanitize("a<img src=x>.png"), "a_img_src_x_.png");
        assert_eq!(sanitize(&"x".repeat(500)).len(), MAX_NAME);
    }

    #[test]
    fn existing_files_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let a = unique(dir.path(), "t.svg");
        assert_eq!(a, dir.path().join("t.svg"));
        std::fs::write(&a, "1").unwrap();
        let b = unique(dir.path(), "t.svg");
        assert_eq!(b, dir.path().join("t (2).svg"));
        std::fs::write(&b, "2").unwrap();
        assert_eq!(unique(dir.path(), "t.svg"), dir.path().join("t (3).svg"));
    }

    #[test]
    fn only_blob_urls_are_saved() {
        let dir = tempfile::tempdir().unwrap();
        // SAFETY of the test: no other test in this binary reads AUTHLENS_DOWNLOAD_DIR.
        unsafe { std::env::set_var("AUTHLENS_DOWNLOAD_DIR", dir.path()) };
        let blob = Url::parse("blob:tauri://localhost/1b2c").unwrap();
        let got = target_for(&blob, Path::new("/somewhere/else/x.svg")).unwrap();
        assert_eq!(got, dir.path().join("x.svg"));
        let web = Url::parse("https://example.test/evil.sh").unwrap();
        assert!(target_for(&web, Path::new("evil.sh")).is_none());
    }
}
