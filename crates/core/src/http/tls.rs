//! The rustls client configuration: ring provider only, trust per [`TlsTrust`].

use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use super::{HttpError, TlsTrust};

pub(crate) fn client_config(trust: &TlsTrust) -> Result<rustls::ClientConfig, HttpError> {
    let roots = root_store(trust)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HttpError::Config {
            message: format!("TLS protocol versions: {e}"),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn root_store(trust: &TlsTrust) -> Result<RootCertStore, HttpError> {
    let mut roots = RootCertStore::empty();
    match trust {
        TlsTrust::System => {
            let loaded = rustls_native_certs::load_native_certs();
            let (added, _ignored) = roots.add_parsable_certificates(loaded.certs);
            for e in &loaded.errors {
                tracing::debug!(error = %e, "some system root certificates could not be loaded");
            }
            if added == 0 {
                let why = loaded
                    .errors
                    .first()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                return Err(HttpError::Config {
                    message: format!(
                        "no trusted root certificates found in the system store{why}; install the system CA \
                         certificates or trust the target's CA with tls.ca_file"
                    ),
                });
            }
        }
        TlsTrust::CaFile(path) => {
            let shown = path.display();
            let pem = std::fs::read(path).map_err(|e| HttpError::Config {
                message: format!("cannot read the CA file {shown}: {e}"),
            })?;
            add_pem(&mut roots, &pem).map_err(|why| HttpError::Config {
                message: format!("the CA file {shown} {why}"),
            })?;
        }
        TlsTrust::CaPem(text) => {
            add_pem(&mut roots, text.as_bytes()).map_err(|why| HttpError::Config {
                message: format!("the trusted PEM certificate text {why}"),
            })?;
        }
    }
    Ok(roots)
}

/// Add every certificate of a PEM text; errors (as the end of a sentence) when it holds none usable.
fn add_pem(roots: &mut RootCertStore, pem: &[u8]) -> Result<(), String> {
    let mut certs = Vec::new();
    for item in CertificateDer::pem_slice_iter(pem) {
        match item {
            Ok(c) => certs.push(c),
            Err(e) => return Err(format!("is not valid PEM: {e}")),
        }
    }
    if certs.is_empty() {
        return Err("contains no PEM certificate (expected -----BEGIN CERTIFICATE-----)".into());
    }
    let total = certs.len();
    let (added, _) = roots.add_parsable_certificates(certs);
    if added == 0 {
        return Err(format!(
            "holds {total} certificate(s), none usable as a trust anchor"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_pem_is_a_config_error() {
        let e = client_config(&TlsTrust::CaPem("not a cert".into())).unwrap_err();
        assert_eq!(e.code(), "http.config");
        assert!(e.to_string().contains("no PEM certificate"), "{e}");
        let e = client_config(&TlsTrust::CaPem(
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into(),
        ))
        .unwrap_err();
        assert_eq!(e.code(), "http.config");
        let e =
            client_config(&TlsTrust::CaFile("/nonexistent/authlens-ca.pem".into())).unwrap_err();
        assert!(
            e.to_string().contains("/nonexistent/authlens-ca.pem"),
            "{e}"
        );
    }
}
