//! Verification keys for the run's JWTs: loaded before the first scenario (files, the secret, JWKS and OIDC
//! fetches recorded as exchanges), refetched once at the end if a token names a kid the key set lacks (the
//! target rotated its keys), then every captured JWT is verified.

use std::time::Duration;

use super::now_ms;
use super::runner::Runner;
use crate::http::{CookieStore, OutgoingRequest};
use crate::model::{KeySourceInfo, Purpose, StepKind};
use crate::tokens::jwks_cache::{self, Entry};
use crate::tokens::keys::{self, KeyRing, MAX_KEY_DOCUMENT_BYTES, VerifyKey};
use crate::tokens::verify::{self, Expectations};

/// A JWKS or OIDC discovery request gives up after this long: keys are a side dish of the run.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a key set came from, to fetch it again.
#[derive(Debug, Clone)]
pub(super) struct JwksOrigin {
    pub url: url::Url,
    pub label: String,
    pub kind: &'static str,
}

impl<'a> Runner<'a> {
    /// Load every configured key source. Never fails the run: a source that gives nothing says why.
    pub(super) async fn load_keys(&mut self) {
        let jwt = self.profile.jwt.clone();
        let mut ring = KeyRing::default();
        let secret = self
            .opts
            .jwt_secret
            .clone()
            .map(|s| (s, "secret given for this run".to_string()));
        let secret = secret.or_else(|| {
            let env = jwt.secret_env.as_ref()?;
            match std::env::var(env) {
                Ok(v) => Some((v, format!("secret from ${env}"))),
                Err(_) => {
                    let mut info = keys::source_info(format!("secret from ${env}"), "secret");
                    info.problems.push(format!("${env} is not set"));
                    ring.sources.push(info);
                    None
                }
            }
        });
        if let Some((secret, label)) = secret {
            self.redactor.add_signing_secret(&secret);
            let (info, k) = keys::from_secret(secret.as_bytes(), &label);
            ring.add(info, k);
        }
        if let Some(path) = &jwt.public_key {
            let label = format!("PEM {}", path.display());
            match read_bounded(path) {
                Ok(text) => {
                    let (info, k) = keys::from_pem(&text, &label);
                    ring.add(info, k);
                }
                Err(e) => {
                    let mut info = keys::source_info(label, "pem");
                    info.problems.push(e);
                    ring.sources.push(info);
                }
            }
        }
        if let Some(path) = &jwt.jwks_file {
            let label = format!("JWKS {}", path.display());
            match read_bounded(path) {
                Ok(text) => {
                    let (info, k) = keys::from_jwks(&text, &label, "jwks-file");
                    ring.add(info, k);
                }
                Err(e) => {
                    let mut info = keys::source_info(label, "jwks-file");
                    info.problems.push(e);
                    ring.sources.push(info);
                }
            }
        }
        self.keys = ring;
        if let Some(issuer) = jwt.oidc_issuer.as_ref().and_then(|u| u.resolve(&self.base)) {
            match self.discover(&issuer).await {
                Ok(jwks_uri) => {
                    self.jwks_origins.push(JwksOrigin {
                        label: format!("JWKS {jwks_uri} (OIDC issuer {issuer})"),
                        url: jwks_uri,
                        kind: "oidc",
                    });
                }
                Err(problem) => {
                    let mut info = keys::source_info(format!("OIDC issuer {issuer}"), "oidc");
                    info.problems.push(problem);
                    self.keys.sources.push(info);
                }
            }
        }
        if let Some(url) = jwt.jwks_url.as_ref().and_then(|u| u.resolve(&self.base)) {
            self.jwks_origins.push(JwksOrigin {
                label: format!("JWKS {url}"),
                url,
                kind: "jwks-url",
            });
        }
        for origin in self.jwks_origins.clone() {
            let (info, k) = self.jwks(&origin, false).await;
            self.keys.add(info, k);
        }
        self.run.jwt_keys = self.keys.sources.clone();
    }

    /// `{issuer}/.well-known/openid-configuration` → its `jwks_uri` (and its `issuer`, the `iss` to expect).
    async fn discover(&mut self, issuer: &url::Url) -> Result<url::Url, String> {
        let text = issuer.as_str().trim_end_matches('/').to_string();
        let url = url::Url::parse(&format!("{text}/.well-known/openid-configuration"))
            .map_err(|e| format!("cannot build the discovery URL: {e}"))?;
        let body = self.fetch_json(url.clone(), "OpenID configuration").await?;
        let doc: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| format!("{url}: not JSON ({e})"))?;
        if let Some(iss) = doc.get("issuer").and_then(|v| v.as_str()) {
            if iss.trim_end_matches('/') != text {
                tracing::info!(
                    "the discovery document's issuer `{iss}` differs from the configured `{text}`"
                );
            }
            self.keys.discovered_issuer = Some(iss.to_string());
        }
        let jwks_uri = doc
            .get("jwks_uri")
            .and_then(|v| v.as_str())
            .ok_or_else(|| format!("{url}: no jwks_uri"))?;
        let jwks = url::Url::parse(jwks_uri)
            .map_err(|e| format!("jwks_uri `{jwks_uri}` is not a URL: {e}"))?;
        if !matches!(jwks.scheme(), "https" | "http") {
            return Err(format!("jwks_uri `{jwks_uri}` is not an http(s) URL"));
        }
        Ok(jwks)
    }

    /// A key set from the cache when fresh (unless `force`), else fetched and cached; rotation is the key ids
    /// against the previous fetch.
    async fn jwks(&mut self, origin: &JwksOrigin, force: bool) -> (KeySourceInfo, Vec<VerifyKey>) {
        let cache = self.opts.jwks_cache.clone();
        let key = origin.url.as_str();
        let cached = cache.as_ref().and_then(|c| c.get(key));
        if !force
            && let Some(e) = &cached
            && now_ms().saturating_sub(e.fetched_at) < jwks_cache::TTL_MS
        {
            let (mut info, k) = keys::from_jwks(&e.body, &origin.label, origin.kind);
            info.fetched_at = Some(e.fetched_at);
            info.from_cache = true;
            return (info, k);
        }
        match self.fetch_json(origin.url.clone(), "JWKS").await {
            Ok(body) => {
                let fetched_at = now_ms();
                let (mut info, k) = keys::from_jwks(&body, &origin.label, origin.kind);
                info.fetched_at = Some(fetched_at);
                let kids: Vec<String> = k.iter().filter_map(|k| k.kid.clone()).collect();
                info.rotation = cached
                    .as_ref()
                    .and_then(|prev| jwks_cache::rotation(prev, &kids));
                if let Some(c) = &cache
                    && !k.is_empty()
                    && let Err(e) = c.put(
                        key,
                        Entry {
                            fetched_at,
                            kids,
                            body,
                        },
                    )
                {
                    tracing::warn!("could not write the JWKS cache {}: {e}", c.path().display());
                }
                (info, k)
            }
            Err(problem) => match cached {
                // A stale key set beats none; said so.
                Some(e) => {
                    let (mut info, k) = keys::from_jwks(&e.body, &origin.label, origin.kind);
                    info.fetched_at = Some(e.fetched_at);
                    info.from_cache = true;
                    info.problems
                        .push(format!("{problem}; using the cached copy"));
                    (info, k)
                }
                None => {
                    let mut info = keys::source_info(origin.label.clone(), origin.kind);
                    info.problems.push(problem);
                    (info, Vec::new())
                }
            },
        }
    }

    /// GET a JSON document (recorded as an exchange); its text, or why not.
    async fn fetch_json(&mut self, url: url::Url, what: &str) -> Result<String, String> {
        let req = OutgoingRequest {
            method: "GET".into(),
            url: url.clone(),
            headers: vec![("Accept".into(), "application/json".into())],
            body: Vec::new(),
        };
        let label = format!("fetch {what}");
        let mut jar = CookieStore::default();
        // Redirects are not followed: keys come only from the URLs the profile names.
        let sent = tokio::time::timeout(
            FETCH_TIMEOUT,
            self.send(
                StepKind::Extra,
                Purpose::KeyFetch,
                &label,
                req,
                &mut jar,
                false,
            ),
        )
        .await;
        let id = match sent {
            Ok(Ok(id)) => id,
            Ok(Err(_)) => return Err(format!("{url}: not fetched (the run was cancelled)")),
            Err(_) => {
                return Err(format!(
                    "{url}: no answer within {} s",
                    FETCH_TIMEOUT.as_secs()
                ));
            }
        };
        self.persist_exchange(id).await;
        let ex = self
            .run
            .exchange(id)
            .ok_or_else(|| format!("{url}: not recorded"))?;
        if let Some(e) = &ex.error {
            return Err(format!("{url}: {}", e.message));
        }
        let resp = ex
            .final_response()
            .ok_or_else(|| format!("{url}: no response"))?;
        if !(200..300).contains(&resp.status) {
            return Err(format!("{url}: HTTP {}", resp.status));
        }
        if resp.body.size > MAX_KEY_DOCUMENT_BYTES as u64 || resp.body.truncated {
            return Err(format!(
                "{url}: the body is over {MAX_KEY_DOCUMENT_BYTES} bytes"
            ));
        }
        resp.body
            .text
            .clone()
            .ok_or_else(|| format!("{url}: the body is not text"))
    }

    /// At the end of the run: refetch key sets once if a token names a kid none of them has (the target
    /// rotated), then verify every captured JWT.
    pub(super) async fn verify_tokens(&mut self, may_fetch: bool) {
        if self.run.jwt_keys.is_empty() {
            return;
        }
        let unknown_kid = self.run.credentials.iter().any(|c| {
            c.jwt
                .as_ref()
                .and_then(|j| j.kid.as_deref())
                .is_some_and(|kid| !self.keys.knows_kid(kid))
        });
        if may_fetch && unknown_kid && !self.jwks_origins.is_empty() {
            let origins = self.jwks_origins.clone();
            for origin in origins {
                let (info, k) = self.jwks(&origin, true).await;
                self.keys.keys.retain(|old| old.source != origin.label);
                self.keys.keys.extend(k);
                if let Some(slot) = self
                    .keys
                    .sources
                    .iter_mut()
                    .find(|s| s.label == origin.label)
                {
                    // Keep the rotation seen on the first fetch if this one found none.
                    let rotation = info.rotation.clone().or(slot.rotation.take());
                    *slot = KeySourceInfo { rotation, ..info };
                }
            }
            self.run.jwt_keys = self.keys.sources.clone();
        }
        let jwt = &self.profile.jwt;
        let expect = Expectations {
            audience: jwt.audience.clone(),
            issuer: jwt
                .issuer
                .clone()
                .or_else(|| self.keys.discovered_issuer.clone()),
            typ: jwt.typ.clone(),
            leeway_secs: jwt.leeway_secs,
        };
        for c in &mut self.run.credentials {
            if let Some(j) = &c.jwt {
                c.verification = Some(verify::verify(
                    &c.value,
                    j,
                    &self.keys,
                    &expect,
                    c.issued_at / 1000,
                ));
            }
        }
    }
}

fn read_bounded(path: &std::path::Path) -> Result<String, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.len() > MAX_KEY_DOCUMENT_BYTES as u64 {
        return Err(format!(
            "{} is over {MAX_KEY_DOCUMENT_BYTES} bytes: not read",
            path.display()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
