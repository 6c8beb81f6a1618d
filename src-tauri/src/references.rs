//! Catalogue references as web pages: resolved here, never from a URL the webview sends, and opened in the
//! system browser (the `opener` crate: the platform's opener, or `$BROWSER`), not in the app's window.

use authlens_core::checks::references;

use crate::error::ApiError;

/// The https page of a catalogue reference ("ASVS 3.3.4"); unknown references are refused.
pub fn url(reference: &str) -> Result<String, ApiError> {
    Ok(references::url(reference)?.to_string())
}

/// Open a catalogue reference's page in the system browser; answers the URL opened.
pub async fn open(reference: &str) -> Result<String, ApiError> {
    let url = url(reference)?;
    let target = url.clone();
    // The platform opener may block while it hands over to the browser: keep it off the async workers.
    tokio::task::spawn_blocking(move || opener::open_browser(&target))
        .await
        .map_err(|e| ApiError::new("reference.open", format!("cannot open {url}: {e}")))?
        .map_err(|e| ApiError::new("reference.open", format!("cannot open {url}: {e}")))?;
    tracing::info!(%url, "reference opened in the system browser");
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_references_resolve_and_others_are_refused() {
        assert_eq!(
            url("ZAP 10010").unwrap(),
            "https://www.zaproxy.org/docs/alerts/10010/"
        );
        for r in ["https://evil.example/", "ZAP 1", "file:///etc/passwd", ""] {
            assert_eq!(url(r).unwrap_err().code, "reference.unknown", "{r}");
        }
    }

    #[tokio::test]
    async fn open_refuses_unknown_references_before_any_opener() {
        let e = open("javascript:alert(1)").await.unwrap_err();
        assert_eq!(e.code, "reference.unknown");
        assert_eq!(
            e.message,
            "`javascript:alert(1)` is not a reference of the check catalogue"
        );
    }
}
