//! Where the catalogue's references are published: "RFC 6265bis 5.7", "ASVS 3.3.4", "WSTG-SESS-02",
//! "ZAP 10010", "CVE-2022-21449" → an https URL on the publisher's site.
//!
//! Only references the catalogue cites resolve. A finding's text, a stored run or the UI could hand over
//! any string; none of it may choose what the system browser opens, so [`url`] first looks the reference
//! up in the catalogue, then builds the URL from a fixed host and the reference's validated digits.

use super::catalogue;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("`{0}` is not a reference of the check catalogue")]
    Unknown(String),
    /// Cited by the catalogue but with no page known (a catalogue test keeps this from happening).
    #[error("no web page is known for the reference `{0}`")]
    NoPage(String),
}

impl ReferenceError {
    pub fn code(&self) -> &'static str {
        match self {
            ReferenceError::Unknown(_) => "reference.unknown",
            ReferenceError::NoPage(_) => "reference.no-page",
        }
    }
}

/// ASVS 5.0.0 chapters by number (the catalogue cites 5.0 numbering: V3.3 is cookie setup). OWASP publishes
/// the requirements per chapter in its repository, pinned here to the release tag.
const ASVS_CHAPTERS: &[(u32, &str)] = &[
    (3, "0x12-V3-Web-Frontend-Security"),
    (6, "0x15-V6-Authentication"),
    (7, "0x16-V7-Session-Management"),
    (9, "0x18-V9-Self-contained-Tokens"),
    (10, "0x19-V10-OAuth-and-OIDC"),
    (12, "0x21-V12-Secure-Communication"),
    (14, "0x23-V14-Data-Protection"),
];
const ASVS_BASE: &str = "https://github.com/OWASP/ASVS/blob/v5.0.0/5.0/en/";

/// WSTG test ids → their page under the guide's latest edition on owasp.org.
const WSTG_PAGES: &[(&str, &str)] = &[
    (
        "ATHN-03",
        "04-Authentication_Testing/03-Testing_for_Weak_Lock_Out_Mechanism",
    ),
    (
        "SESS-01",
        "06-Session_Management_Testing/01-Testing_for_Session_Management_Schema",
    ),
    (
        "SESS-02",
        "06-Session_Management_Testing/02-Testing_for_Cookies_Attributes",
    ),
    (
        "SESS-03",
        "06-Session_Management_Testing/03-Testing_for_Session_Fixation",
    ),
    (
        "SESS-04",
        "06-Session_Management_Testing/04-Testing_for_Exposed_Session_Variables",
    ),
    (
        "SESS-05",
        "06-Session_Management_Testing/05-Testing_for_Cross_Site_Request_Forgery",
    ),
    (
        "SESS-06",
        "06-Session_Management_Testing/06-Testing_for_Logout_Functionality",
    ),
    (
        "SESS-07",
        "06-Session_Management_Testing/07-Testing_Session_Timeout",
    ),
    (
        "SESS-10",
        "06-Session_Management_Testing/10-Testing_JSON_Web_Tokens",
    ),
    (
        "CRYP-03",
        "09-Testing_for_Weak_Cryptography/03-Testing_for_Sensitive_Information_Sent_via_Unencrypted_Channels",
    ),
    (
        "CLNT-07",
        "11-Client-side_Testing/07-Testing_Cross_Origin_Resource_Sharing",
    ),
    (
        "CLNT-12",
        "11-Client-side_Testing/12-Testing_Browser_Storage",
    ),
];
const WSTG_BASE: &str = "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/";

/// Whether the catalogue cites `reference` (exactly, as it writes it).
pub fn is_known(reference: &str) -> bool {
    catalogue::all()
        .iter()
        .any(|c| c.references.contains(&reference))
}

/// The https page of a catalogue reference.
pub fn url(reference: &str) -> Result<url::Url, ReferenceError> {
    if !is_known(reference) {
        return Err(ReferenceError::Unknown(shorten(reference)));
    }
    let text = page(reference).ok_or_else(|| ReferenceError::NoPage(reference.to_string()))?;
    // Built from constants and checked digits, so it parses; a parse failure would be a bug here, not input.
    url::Url::parse(&text)
        .ok()
        .filter(|u| u.scheme() == "https")
        .ok_or_else(|| ReferenceError::NoPage(reference.to_string()))
}

fn page(reference: &str) -> Option<String> {
    if let Some(rest) = reference.strip_prefix("RFC 6265bis ") {
        return section(rest).map(|s| {
            format!(
                "https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-{s}"
            )
        });
    }
    if let Some(rest) = reference.strip_prefix("RFC ") {
        let (number, sec) = rest.split_once(' ').unwrap_or((rest, ""));
        if !digits(number) {
            return None;
        }
        let base = format!("https://www.rfc-editor.org/rfc/rfc{number}.html");
        return match sec {
            "" => Some(base),
            s => section(s).map(|s| format!("{base}#section-{s}")),
        };
    }
    if let Some(rest) = reference.strip_prefix("ASVS ") {
        if section(rest)?.split('.').count() != 3 {
            return None;
        }
        let chapter: u32 = rest.split('.').next()?.parse().ok()?;
        let (_, file) = ASVS_CHAPTERS.iter().find(|(n, _)| *n == chapter)?;
        return Some(format!("{ASVS_BASE}{file}.md"));
    }
    if let Some(id) = reference.strip_prefix("WSTG-") {
        let (_, path) = WSTG_PAGES.iter().find(|(i, _)| *i == id)?;
        return Some(format!("{WSTG_BASE}{path}"));
    }
    if let Some(id) = reference.strip_prefix("ZAP ") {
        return digits(id).then(|| format!("https://www.zaproxy.org/docs/alerts/{id}/"));
    }
    if let Some(rest) = reference.strip_prefix("CVE-") {
        let (year, number) = rest.split_once('-')?;
        return (digits(year) && year.len() == 4 && digits(number) && number.len() >= 4)
            .then(|| format!("https://www.cve.org/CVERecord?id=CVE-{year}-{number}"));
    }
    None
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= 8 && s.bytes().all(|b| b.is_ascii_digit())
}

/// "5.7", "4.14.2": dotted numbers only.
fn section(s: &str) -> Option<&str> {
    s.split('.').all(digits).then_some(s)
}

/// An unknown reference echoed in an error: bounded, one line.
fn shorten(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(80)
        .collect();
    if s.chars().count() > 80 {
        format!("{clean}…")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(r: &str) -> String {
        url(r).unwrap().to_string()
    }

    #[test]
    fn each_kind_of_reference_maps_to_its_publisher() {
        assert_eq!(
            u("RFC 6265bis 5.7"),
            "https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-5.7"
        );
        assert_eq!(
            u("RFC 9700 4.14.2"),
            "https://www.rfc-editor.org/rfc/rfc9700.html#section-4.14.2"
        );
        assert_eq!(
            u("ASVS 3.3.4"),
            "https://github.com/OWASP/ASVS/blob/v5.0.0/5.0/en/0x12-V3-Web-Frontend-Security.md"
        );
        assert_eq!(
            u("ASVS 14.3.3"),
            "https://github.com/OWASP/ASVS/blob/v5.0.0/5.0/en/0x23-V14-Data-Protection.md"
        );
        assert_eq!(
            u("WSTG-SESS-02"),
            "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/\
             06-Session_Management_Testing/02-Testing_for_Cookies_Attributes"
        );
        assert_eq!(u("ZAP 10010"), "https://www.zaproxy.org/docs/alerts/10010/");
        assert_eq!(
            u("CVE-2022-21449"),
            "https://www.cve.org/CVERecord?id=CVE-2022-21449"
        );
    }

    #[test]
    fn every_catalogue_reference_has_an_https_page_on_a_known_host() {
        let hosts = [
            "datatracker.ietf.org",
            "www.rfc-editor.org",
            "github.com",
            "owasp.org",
            "www.zaproxy.org",
            "www.cve.org",
        ];
        for c in catalogue::all() {
            for r in c.references {
                let link = url(r).unwrap_or_else(|e| panic!("{}: {e}", c.id));
                assert_eq!(link.scheme(), "https", "{r}");
                assert!(hosts.contains(&link.host_str().unwrap()), "{r} → {link}");
                assert!(link.username().is_empty() && link.password().is_none());
            }
        }
    }

    #[test]
    fn references_the_catalogue_does_not_cite_are_rejected() {
        for r in [
            "",
            "RFC 1149",
            "RFC 6749 9.9",
            "ASVS 3.3.99",
            "WSTG-SESS-99",
            "ZAP 1",
            "CVE-2021-44228",
            "https://evil.example/",
            "javascript:alert(1)",
            "ZAP 10010/../../evil",
            "RFC 6265bis 5.7#x",
            "rfc 6265bis 5.7",
            " ZAP 10010",
            "ZAP 10010\n",
        ] {
            let e = url(r).unwrap_err();
            assert_eq!(e.code(), "reference.unknown", "{r:?}");
        }
        let long = "x".repeat(10_000);
        let msg = url(&long).unwrap_err().to_string();
        assert!(msg.chars().count() < 140, "{msg}");
        assert!(!url("a\u{7}b").unwrap_err().to_string().contains('\u{7}'));
    }

    #[test]
    fn the_mapping_itself_refuses_malformed_numbers() {
        // Even if the catalogue ever cited them, these would not become URLs.
        for r in [
            "RFC 12a 1",
            "RFC 6749 5.x",
            "RFC 6749 5..1",
            "ASVS 3",
            "ASVS 99.1.1",
            "ZAP 10010a",
            "CVE-22-1",
            "CVE-2022-1",
            "WSTG-NOPE-01",
        ] {
            assert_eq!(page(r), None, "{r}");
        }
    }
}
