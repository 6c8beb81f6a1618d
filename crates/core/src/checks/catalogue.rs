//! The whole check catalogue (docs: /work/shared/checks.md), in its order: ids, codes, families, kinds,
//! severities, plain-language explanations and references. [`IMPLEMENTED`] lists the ids `run_all` produces.

use serde::{Deserialize, Serialize};

use crate::model::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckInfo {
    /// Stable id: "cookie.httponly".
    pub id: &'static str,
    /// Short cross-reference code ("CK1"); a few catalogue entries have none.
    pub code: Option<&'static str>,
    /// "Cookies", "Sessions and revocation", "Transport and browser policy", "JWT", "Refresh tokens".
    pub family: &'static str,
    pub title: &'static str,
    /// How it is tested, as the catalogue says: "passive", "active", "passive+active", "offline/active"...
    pub kind: &'static str,
    /// Nominal severity: the worst this check reports.
    pub severity: Severity,
    /// The catalogue's severity text when it depends on the case ("medium/high", "low (access) / medium (refresh)").
    pub severity_text: &'static str,
    /// Why it matters, in two or three plain sentences.
    pub explanation: &'static str,
    pub references: &'static [&'static str],
}

/// A catalogue entry with owned fields, for consumers that serialize it (the desktop UI's check reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CheckDoc {
    /// Stable id: "cookie.httponly".
    pub id: String,
    /// Short cross-reference code ("CK1"); a few catalogue entries have none.
    pub code: Option<String>,
    pub family: String,
    pub title: String,
    /// "passive", "active", "passive+active"...
    pub kind: String,
    /// Nominal severity: the worst this check reports.
    pub severity: Severity,
    /// The catalogue's severity text when it depends on the case ("medium/high").
    pub severity_text: String,
    pub explanation: String,
    pub references: Vec<String>,
    /// Whether runs produce a finding for it today (see [`IMPLEMENTED`]).
    pub implemented: bool,
}

impl From<&CheckInfo> for CheckDoc {
    fn from(c: &CheckInfo) -> Self {
        CheckDoc {
            id: c.id.to_string(),
            code: c.code.map(str::to_string),
            family: c.family.to_string(),
            title: c.title.to_string(),
            kind: c.kind.to_string(),
            severity: c.severity,
            severity_text: c.severity_text.to_string(),
            explanation: c.explanation.to_string(),
            references: c.references.iter().map(|r| r.to_string()).collect(),
            implemented: is_implemented(c.id),
        }
    }
}

/// Every check of the catalogue as owned [`CheckDoc`]s, in catalogue order.
pub fn docs() -> Vec<CheckDoc> {
    CATALOGUE.iter().map(CheckDoc::from).collect()
}

/// The ids `checks::run_all` produces, in catalogue order.
pub const IMPLEMENTED: &[&str] = &[
    "cookie.httponly",
    "cookie.secure",
    "cookie.samesite",
    "cookie.prefix",
    "cookie.domain",
    "cookie.size",
    "cookie.lifetime",
    "session.entropy",
    "session.fixation",
    "session.logout",
    "session.timeout",
    "session.in-url",
    "storage.js-readable",
    "session.replicas",
    "transport.https",
    "transport.hsts",
    "cache.no-store",
    "login.rate-limit",
    "jwt.signature-checked",
    "jwt.alg-none",
    "jwt.key-confusion",
    "jwt.weak-secret",
    "jwt.psychic",
    "jwt.header-keys",
    "jwt.exp",
    "jwt.expiry-enforced",
    "jwt.audience",
    "jwt.verification",
    "jwt.sensitive-claims",
    "refresh.rotation",
    "refresh.reuse",
    "refresh.logout",
];

/// Every check of the catalogue, implemented or not, in catalogue order.
pub fn all() -> &'static [CheckInfo] {
    CATALOGUE
}

pub fn get(id: &str) -> Option<&'static CheckInfo> {
    CATALOGUE.iter().find(|c| c.id == id)
}

pub fn is_implemented(id: &str) -> bool {
    IMPLEMENTED.contains(&id)
}

const COOKIES: &str = "Cookies";
const SESSIONS: &str = "Sessions and revocation";
const TRANSPORT: &str = "Transport and browser policy";
const JWT: &str = "JWT";
const REFRESH: &str = "Refresh tokens";

use Severity::{Critical, High, Low, Medium};

static CATALOGUE: &[CheckInfo] = &[
    CheckInfo {
        id: "cookie.httponly",
        code: Some("CK1"),
        family: COOKIES,
        title: "Auth cookies are HttpOnly",
        kind: "passive",
        severity: Medium,
        severity_text: "medium",
        explanation: "A cookie without HttpOnly can be read by any script running on the page. A single \
            cross-site scripting bug is then enough to copy the session and use it from anywhere. Auth cookies \
            never need to be read by JavaScript, so HttpOnly costs nothing.",
        references: &["WSTG-SESS-02", "ASVS 3.3.4", "ZAP 10010"],
    },
    CheckInfo {
        id: "cookie.secure",
        code: Some("CK2"),
        family: COOKIES,
        title: "Auth cookies are Secure",
        kind: "passive/active",
        severity: High,
        severity_text: "medium/high",
        explanation: "Without the Secure attribute the browser also sends the cookie over plain http, where \
            anyone on the network path can read it. An attacker can trigger such a request with any http link. \
            It is worse when the site itself still answers on http.",
        references: &["ASVS 3.3.1", "ZAP 10011"],
    },
    CheckInfo {
        id: "cookie.samesite",
        code: Some("CK3"),
        family: COOKIES,
        title: "Auth cookies have SameSite Lax or Strict",
        kind: "passive",
        severity: Medium,
        severity_text: "low-medium",
        explanation: "SameSite decides whether the browser attaches the cookie to requests started by other \
            sites, which is what cross-site request forgery relies on. SameSite=None sends it everywhere, and \
            without Secure browsers refuse the cookie outright. A missing attribute leaves the choice to each \
            browser's default, which is not Lax everywhere.",
        references: &[
            "RFC 6265bis 5.7",
            "RFC 6265bis 8.8",
            "ASVS 3.3.2",
            "ZAP 10054",
        ],
    },
    CheckInfo {
        id: "cookie.prefix",
        code: Some("CK4"),
        family: COOKIES,
        title: "Auth cookies use the __Host- prefix correctly",
        kind: "passive",
        severity: Low,
        severity_text: "low",
        explanation: "A __Host- cookie can only be set over https, for this exact host and the whole site, so a \
            sibling subdomain or a plain-http response cannot overwrite it. Browsers enforce the prefix rules \
            (matching the prefix case-insensitively) and silently drop a prefixed cookie that breaks them.",
        references: &["RFC 6265bis 4.1.3", "ASVS 3.3.3"],
    },
    CheckInfo {
        id: "cookie.domain",
        code: Some("CK5"),
        family: COOKIES,
        title: "Auth cookies are not scoped to a parent domain",
        kind: "passive",
        severity: Low,
        severity_text: "low",
        explanation: "A Domain attribute naming a parent domain makes the browser send the cookie to every \
            subdomain of it. Any one of those hosts, however minor, can then read or overwrite the session. \
            Leaving Domain out keeps the cookie to the host that set it.",
        references: &["WSTG-SESS-02", "ZAP 90033"],
    },
    CheckInfo {
        id: "cookie.size",
        code: Some("CK6"),
        family: COOKIES,
        title: "Cookies fit the browser size limits",
        kind: "passive",
        severity: Low,
        severity_text: "low",
        explanation: "Browsers drop a cookie whose name and value exceed 4096 bytes and ignore any attribute \
            value over 1024 bytes. The login then fails, or a security attribute silently does not apply.",
        references: &["RFC 6265bis 5.6", "ASVS 3.3.5"],
    },
    CheckInfo {
        id: "cookie.lifetime",
        code: Some("CK7"),
        family: COOKIES,
        title: "Session cookies do not outlive the absolute timeout",
        kind: "passive",
        severity: Medium,
        severity_text: "low/medium",
        explanation: "A persistent session cookie survives closing the browser and stays on disk until it \
            expires, so a shared or stolen device keeps the login. A session should end after an absolute \
            timeout whatever the activity; browsers cap cookie lifetimes at 400 days at most.",
        references: &["ASVS 7.3.2"],
    },
    CheckInfo {
        id: "session.entropy",
        code: Some("SE1"),
        family: SESSIONS,
        title: "Session ids are unpredictable",
        kind: "active+offline",
        severity: High,
        severity_text: "high/medium",
        explanation: "A session id is the user's login for as long as it lives. Below 64 bits of randomness, or \
            when ids repeat or follow a sequence, an attacker can guess a valid one instead of stealing it.",
        references: &["WSTG-SESS-01", "ASVS 7.2.3"],
    },
    CheckInfo {
        id: "session.fixation",
        code: Some("SE2"),
        family: SESSIONS,
        title: "The session id changes at login",
        kind: "passive+active",
        severity: High,
        severity_text: "high",
        explanation: "If the id handed out before login stays valid after it, an attacker who plants a known id \
            in the victim's browser is logged in as the victim the moment they sign in. Issuing a fresh id at \
            login, and forgetting the old one, closes that door.",
        references: &["WSTG-SESS-03", "ASVS 7.2.4", "ZAP 40013"],
    },
    CheckInfo {
        id: "session.logout",
        code: Some("SE3"),
        family: SESSIONS,
        title: "Logout revokes every credential",
        kind: "active",
        severity: High,
        severity_text: "high",
        explanation: "Logout only protects the user if the server stops accepting the old cookie and tokens; \
            deleting them in the browser leaves every copy an attacker holds working. Only replaying them after \
            logout proves it: a 200 from a revoke endpoint proves nothing. A short-lived stateless access token \
            that keeps working until its exp is the known revocation gap.",
        references: &["WSTG-SESS-06", "ASVS 7.4.1", "RFC 7009 2.2"],
    },
    CheckInfo {
        id: "session.timeout",
        code: Some("SE4"),
        family: SESSIONS,
        title: "Sessions time out",
        kind: "active (scheduled)",
        severity: Medium,
        severity_text: "medium",
        explanation: "A session that never expires stays usable on a forgotten or shared device and keeps a \
            stolen id valuable forever. Idle and absolute timeouts bound that window.",
        references: &["WSTG-SESS-07", "ASVS 7.3.1", "ASVS 7.3.2"],
    },
    CheckInfo {
        id: "session.in-url",
        code: Some("SE5"),
        family: SESSIONS,
        title: "No token or session id in URLs",
        kind: "passive",
        severity: Medium,
        severity_text: "medium",
        explanation: "URLs end up in browser history, server and proxy logs, and Referer headers sent to other \
            sites. A token or session id in a query string, fragment, path or redirect Location leaks through \
            all of them.",
        references: &["WSTG-SESS-04", "RFC 9700 4.2"],
    },
    CheckInfo {
        id: "storage.js-readable",
        code: Some("SE6"),
        family: SESSIONS,
        title: "Tokens are not handed to JavaScript",
        kind: "passive",
        severity: Medium,
        severity_text: "low (access) / medium (refresh)",
        explanation: "A token returned in a JSON body ends up in JavaScript memory or web storage, where any \
            injected script can read it. A stolen refresh token keeps minting access tokens, so it deserves an \
            HttpOnly cookie even more than the access token does.",
        references: &["ASVS 3.3.4", "ASVS 14.3.3", "WSTG-CLNT-12"],
    },
    CheckInfo {
        id: "storage.localstorage",
        code: None,
        family: SESSIONS,
        title: "No token in localStorage or sessionStorage",
        kind: "active (browser)",
        severity: Medium,
        severity_text: "medium",
        explanation: "Web storage is readable by every script on the origin and localStorage survives the \
            browser closing. A token kept there is one cross-site scripting bug away from theft.",
        references: &["WSTG-CLNT-12", "ASVS 14.3.3"],
    },
    CheckInfo {
        id: "session.replicas",
        code: None,
        family: SESSIONS,
        title: "Logout is honoured by every replica",
        kind: "active",
        severity: High,
        severity_text: "high",
        explanation: "When each server behind a load balancer keeps its own session store, logging out on one \
            leaves the session alive on the others. An attacker holding the cookie simply lands on another replica.",
        references: &["ASVS 7.4.1"],
    },
    CheckInfo {
        id: "transport.https",
        code: Some("TR1"),
        family: TRANSPORT,
        title: "Credentials only travel over https",
        kind: "passive+active",
        severity: High,
        severity_text: "high",
        explanation: "Anything sent over plain http can be read and changed by anyone on the network path: \
            passwords, cookies and tokens included. The http address should only ever answer with a redirect \
            to https.",
        references: &["WSTG-CRYP-03", "ASVS 12.2.1"],
    },
    CheckInfo {
        id: "transport.hsts",
        code: Some("TR2"),
        family: TRANSPORT,
        title: "HSTS is set for at least a year",
        kind: "passive",
        severity: Medium,
        severity_text: "low/medium",
        explanation: "Strict-Transport-Security tells the browser to use https for this host without first \
            trying http, which removes the window in which a network attacker can strip https away. It only \
            protects if its max-age is long, at least a year.",
        references: &["ZAP 10035"],
    },
    CheckInfo {
        id: "cache.no-store",
        code: Some("TR3"),
        family: TRANSPORT,
        title: "Responses carrying credentials are not cached",
        kind: "passive",
        severity: Medium,
        severity_text: "medium",
        explanation: "A login or token response without Cache-Control: no-store may be kept by the browser's or \
            a proxy's cache. The next user of the machine, or of the proxy, can then get the credentials back.",
        references: &["RFC 6749 5.1", "ASVS 14.3.2"],
    },
    CheckInfo {
        id: "csrf.protection",
        code: Some("TR4"),
        family: TRANSPORT,
        title: "State changes require a CSRF token",
        kind: "passive+active",
        severity: High,
        severity_text: "medium/high",
        explanation: "With cookie authentication the browser attaches the session to requests another site \
            starts. Without a token or custom header that a foreign site cannot produce, that site can act as \
            the user.",
        references: &["WSTG-SESS-05", "ASVS 3.5.1", "ASVS 3.5.2", "ASVS 3.5.3"],
    },
    CheckInfo {
        id: "cors.credentials",
        code: Some("TR5"),
        family: TRANSPORT,
        title: "CORS does not grant credentials to any origin",
        kind: "active",
        severity: High,
        severity_text: "high",
        explanation: "Reflecting any Origin (or null) in Access-Control-Allow-Origin together with \
            Allow-Credentials lets every website read authenticated responses with the user's cookies. It \
            turns every visit to a hostile page into a data leak.",
        references: &["WSTG-CLNT-07", "ASVS 3.4.2"],
    },
    CheckInfo {
        id: "login.rate-limit",
        code: Some("TR6"),
        family: TRANSPORT,
        title: "Login is rate limited",
        kind: "active, opt-in",
        severity: Medium,
        severity_text: "medium",
        explanation: "Without throttling or lockout an attacker can try passwords as fast as the server answers. \
            After 20 wrong passwords the login should answer 429 or lock.",
        references: &["WSTG-ATHN-03", "ASVS 6.3.1"],
    },
    CheckInfo {
        id: "redirect.credential-post",
        code: Some("TR7"),
        family: TRANSPORT,
        title: "Credential POSTs are not forwarded by 307/308",
        kind: "passive",
        severity: Medium,
        severity_text: "medium",
        explanation: "A 307 or 308 redirect makes the browser resend the same POST body, password included, to \
            the new location. Pointing it at another origin hands that origin the credentials.",
        references: &["RFC 9700 4.12"],
    },
    CheckInfo {
        id: "jwt.signature-checked",
        code: Some("JW1"),
        family: JWT,
        title: "Tampered JWTs are rejected",
        kind: "active",
        severity: Critical,
        severity_text: "critical",
        explanation: "If the server accepts a token whose payload was edited, or whose signature was stripped \
            or truncated, anyone can write their own claims and become any user.",
        references: &["RFC 8725 3.3", "ASVS 9.1.1"],
    },
    CheckInfo {
        id: "jwt.alg-none",
        code: Some("JW2"),
        family: JWT,
        title: "alg none is rejected",
        kind: "active",
        severity: Critical,
        severity_text: "critical",
        explanation: "A token with alg set to none (in any letter case) carries no signature. A server that \
            accepts it lets anyone forge tokens without a key.",
        references: &["RFC 8725 3.1", "RFC 8725 3.2", "ASVS 9.1.2"],
    },
    CheckInfo {
        id: "jwt.key-confusion",
        code: Some("JW3"),
        family: JWT,
        title: "No RS/HS key confusion",
        kind: "active",
        severity: Critical,
        severity_text: "critical",
        explanation: "A server that verifies an HS256 token with its RSA or EC public key as the HMAC secret \
            accepts tokens signed by anyone, since the public key is public.",
        references: &["RFC 8725 2.1"],
    },
    CheckInfo {
        id: "jwt.weak-secret",
        code: Some("JW4"),
        family: JWT,
        title: "HMAC secret is not guessable",
        kind: "offline/active",
        severity: Critical,
        severity_text: "critical",
        explanation: "An HMAC-signed token can be brute-forced offline from a single captured token. A blank \
            or dictionary secret is found in seconds, after which anyone can sign tokens.",
        references: &["RFC 8725 3.5", "RFC 7518 3.2"],
    },
    CheckInfo {
        id: "jwt.psychic",
        code: Some("JW5"),
        family: JWT,
        title: "Zero ECDSA signatures are rejected",
        kind: "active",
        severity: Critical,
        severity_text: "critical",
        explanation: "Some ECDSA verifiers accept a signature with r = s = 0 for any message (the \"psychic \
            signature\" bug). Such a server accepts tokens anyone can produce.",
        references: &["CVE-2022-21449"],
    },
    CheckInfo {
        id: "jwt.header-keys",
        code: Some("JW6"),
        family: JWT,
        title: "Keys named by the token are not trusted",
        kind: "active",
        severity: Critical,
        severity_text: "critical",
        explanation: "A token can embed its own key (jwk), point to one (jku, x5u) or name one (kid). A server \
            that trusts those verifies the attacker's signature with the attacker's key.",
        references: &["RFC 8725 3.10", "ASVS 9.1.3"],
    },
    CheckInfo {
        id: "jwt.exp",
        code: Some("JW7"),
        family: JWT,
        title: "Access tokens expire soon",
        kind: "passive",
        severity: Medium,
        severity_text: "medium/low",
        explanation: "A stateless access token usually cannot be revoked, so its lifetime is the window in which \
            a stolen copy works, logout or not. A token without exp never expires; minutes, not days, is the norm.",
        references: &["RFC 7519 4.1.4", "ASVS 9.2.1"],
    },
    CheckInfo {
        id: "jwt.expiry-enforced",
        code: Some("JW8"),
        family: JWT,
        title: "Expired tokens are rejected",
        kind: "active (wait)",
        severity: High,
        severity_text: "high",
        explanation: "An exp claim only helps if the server checks it. A token accepted after its expiry \
            (beyond a small clock skew) lives forever in practice.",
        references: &["ASVS 9.2.1"],
    },
    CheckInfo {
        id: "jwt.audience",
        code: Some("JW9"),
        family: JWT,
        title: "Audience and issuer are set and checked",
        kind: "passive/active",
        severity: High,
        severity_text: "medium/high",
        explanation: "Without aud, iss and typ checks, a token issued for one service or purpose is accepted by \
            another that trusts the same key, so a token stolen from a minor service opens a major one.",
        references: &[
            "RFC 8725 3.8",
            "RFC 8725 3.9",
            "RFC 8725 3.10",
            "RFC 8725 3.11",
            "ASVS 9.2.2",
            "ASVS 9.2.3",
        ],
    },
    CheckInfo {
        id: "jwt.verification",
        code: None,
        family: JWT,
        title: "Captured JWTs verify with the configured keys",
        kind: "offline",
        severity: High,
        severity_text: "medium/high",
        explanation: "With the issuer's key (an HMAC secret, a PEM public key, a JWKS or an OIDC issuer), every \
            token the server hands out should verify and be within its exp and nbf. One that does not was signed \
            with another key, altered, or issued unsigned; a kid the key set lacks means the keys rotated or the \
            configuration is stale.",
        references: &["RFC 7515 5.2", "RFC 7519 7.2", "RFC 8725 3.1"],
    },
    CheckInfo {
        id: "jwt.sensitive-claims",
        code: Some("JW10"),
        family: JWT,
        title: "JWT claims reveal nothing sensitive",
        kind: "passive",
        severity: Medium,
        severity_text: "low/medium",
        explanation: "A signed JWT is not encrypted: anyone holding it, or any log it lands in, can read every \
            claim with a base64 decoder. Secrets and personal data do not belong there, and visible roles tell \
            an attacker which accounts are worth stealing.",
        references: &["WSTG-SESS-10"],
    },
    CheckInfo {
        id: "refresh.rotation",
        code: Some("RT1"),
        family: REFRESH,
        title: "Refresh tokens rotate",
        kind: "passive",
        severity: Medium,
        severity_text: "medium",
        explanation: "When each refresh returns a new refresh token and retires the old one, a stolen token is \
            only good until the legitimate client refreshes again. A refresh token that never changes stays \
            usable for its whole lifetime.",
        references: &["RFC 9700 4.14.2", "ASVS 10.4.5"],
    },
    CheckInfo {
        id: "refresh.reuse",
        code: Some("RT2"),
        family: REFRESH,
        title: "Refresh token reuse revokes the family",
        kind: "active",
        severity: High,
        severity_text: "high",
        explanation: "A refresh token that was already rotated away must not work again. When it shows up, \
            someone holds a stolen copy, and the server should revoke the whole family, newest token included, \
            so that neither the thief nor the victim keeps a live session.",
        references: &["RFC 9700 4.14.2"],
    },
    CheckInfo {
        id: "refresh.logout",
        code: Some("RT4"),
        family: REFRESH,
        title: "Refresh tokens die at logout and expire",
        kind: "active",
        severity: High,
        severity_text: "high/medium",
        explanation: "A refresh token that survives logout keeps minting access tokens for whoever holds it, so \
            logout changes nothing. Without an absolute expiry it can stay usable forever.",
        references: &["RFC 7009 2.1", "ASVS 10.4.8"],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_complete_unique_and_implemented_ids_exist_in_order() {
        assert_eq!(all().len(), 36);
        let mut ids: Vec<&str> = all().iter().map(|c| c.id).collect();
        let in_order: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| is_implemented(id))
            .collect();
        assert_eq!(in_order, IMPLEMENTED);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all().len());
        for c in all() {
            assert!(
                !c.references.is_empty() && !c.explanation.is_empty() && !c.title.is_empty(),
                "{}",
                c.id
            );
            assert!(!c.explanation.contains("  "), "{}", c.id);
        }
        assert_eq!(get("jwt.exp").unwrap().code, Some("JW7"));
        assert!(get("nope").is_none());
    }

    #[test]
    fn docs_mirror_the_catalogue() {
        let docs = docs();
        assert_eq!(docs.len(), all().len());
        let jwt = docs.iter().find(|d| d.id == "jwt.exp").unwrap();
        assert_eq!(jwt.code.as_deref(), Some("JW7"));
        assert!(jwt.implemented);
        assert_eq!(
            jwt.references.len(),
            get("jwt.exp").unwrap().references.len()
        );
        let json = serde_json::to_value(jwt).unwrap();
        assert_eq!(
            json["severity"],
            serde_json::to_value(jwt.severity).unwrap()
        );
    }
}
