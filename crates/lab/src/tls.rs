//! The lab's self-signed certificate: reused from `tls_dir` when still good, else
//! generated and written there so the product (and the user's tools) can trust one file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rustls::ServerConfig;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::error::LabError;

pub(crate) const CERT_FILE: &str = "cert.pem";
pub(crate) const KEY_FILE: &str = "key.pem";
/// The server's chain: its leaf certificate, then the lab CA.
const CHAIN_FILE: &str = "server.pem";
const LOCK_FILE: &str = ".cert.lock";
/// A certificate this close to expiry is replaced rather than reused.
const RENEW_MARGIN: Duration = Duration::from_secs(7 * 24 * 3600);
const VALIDITY: time::Duration = time::Duration::days(365);

pub(crate) struct LabCert {
    pub cert_pem: String,
    pub cert_path: PathBuf,
    pub server_config: Arc<ServerConfig>,
}

pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// Blocking (file I/O, key generation): run it on a blocking thread.
pub(crate) fn load_or_create(dir: &Path) -> Result<LabCert, LabError> {
    create_dir(dir)?;
    // Labs start concurrently (tests, several CLI runs): serialize the check-then-write
    // so cert.pem and key.pem on disk always belong together.
    let _lock = DirLock::acquire(dir);
    let cert_path = dir.join(CERT_FILE);
    let chain_path = dir.join(CHAIN_FILE);
    let key_path = dir.join(KEY_FILE);

    if let Some(existing) = read_valid(&cert_path, &chain_path, &key_path) {
        return Ok(existing);
    }

    let (ca_pem, chain_pem, key_pem) = generate()?;
    // Key first, the trust anchor last: a reader never trusts a CA whose chain is not on disk yet.
    write_atomic(&key_path, key_pem.as_bytes(), 0o600)?;
    write_atomic(&chain_path, chain_pem.as_bytes(), 0o644)?;
    write_atomic(&cert_path, ca_pem.as_bytes(), 0o644)?;
    let server_config = server_config(&chain_pem, &key_pem)?;
    Ok(LabCert {
        cert_pem: ca_pem,
        cert_path,
        server_config,
    })
}

fn read_valid(cert_path: &Path, chain_path: &Path, key_path: &Path) -> Option<LabCert> {
    let ca_pem = fs::read_to_string(cert_path).ok()?;
    let chain_pem = fs::read_to_string(chain_path).ok()?;
    let key_pem = fs::read_to_string(key_path).ok()?;
    let server_config = server_config(&chain_pem, &key_pem).ok()?;
    still_valid(&ca_pem, &chain_pem).then(|| LabCert {
        cert_pem: ca_pem,
        cert_path: cert_path.to_owned(),
        server_config,
    })
}

/// The chain must verify for the names we serve, well before expiry, the way a client trusting
/// only cert.pem (the lab CA) would check it.
fn still_valid(ca_pem: &str, chain_pem: &str) -> bool {
    let Ok(ca) = CertificateDer::from_pem_slice(ca_pem.as_bytes()) else {
        return false;
    };
    let Ok(chain) =
        CertificateDer::pem_slice_iter(chain_pem.as_bytes()).collect::<Result<Vec<_>, _>>()
    else {
        return false;
    };
    let Some((leaf, intermediates)) = chain.split_first() else {
        return false;
    };
    let mut roots = rustls::RootCertStore::empty();
    if roots.add(ca).is_err() {
        return false;
    }
    let Ok(verifier) =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider()).build()
    else {
        return false;
    };
    let Some(at) = SystemTime::now()
        .checked_add(RENEW_MARGIN)
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
    else {
        return false;
    };
    ["127.0.0.1", "localhost"].into_iter().all(|name| {
        ServerName::try_from(name).is_ok_and(|name| {
            verifier
                .verify_server_cert(
                    leaf,
                    intermediates,
                    &name,
                    &[],
                    UnixTime::since_unix_epoch(at),
                )
                .is_ok()
        })
    })
}

/// A lab CA and a server certificate it signs: (CA PEM, chain PEM, server key PEM). Clients trust the
/// CA (cert.pem): rustls refuses a CA certificate presented as a server's own, and OpenSSL-based
/// clients (Node, curl, browsers) refuse a self-signed leaf as a trust anchor, so both need this
/// shape. The CA key is dropped once the leaf is signed: nothing else can ever be minted under it.
fn generate() -> Result<(String, String, String), LabError> {
    // Backdate a little for clock skew between the lab and the product.
    let now = time::OffsetDateTime::now_utc();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new())?;
    let mut ca_dn = rcgen::DistinguishedName::new();
    ca_dn.push(rcgen::DnType::CommonName, "Authlens lab CA");
    ca_params.distinguished_name = ca_dn;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    ca_params.not_before = now - time::Duration::hours(1);
    ca_params.not_after = now + VALIDITY;
    let ca_key = rcgen::KeyPair::generate()?;
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "Authlens lab");
    params.distinguished_name = dn;
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + VALIDITY;
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;
    let chain = format!("{}{}", cert.pem(), ca_cert.pem());
    Ok((ca_cert.pem(), chain, key.serialize_pem()))
}

pub(crate) fn server_config(cert_pem: &str, key_pem: &str) -> Result<Arc<ServerConfig>, LabError> {
    let certs = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| rustls::Error::General(format!("bad certificate PEM: {e}")))?;
    if certs.is_empty() {
        return Err(rustls::Error::General("no certificate in PEM".into()).into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())
        .map_err(|e| rustls::Error::General(format!("bad private key PEM: {e}")))?;
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    // The lab speaks HTTP/1.1 only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn create_dir(dir: &Path) -> Result<(), LabError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| LabError::TlsFile {
        action: "create directory",
        path: dir.to_owned(),
        source,
    })
}

/// Write to a unique temp file in the same directory, then rename over the target.
fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), LabError> {
    let err = |action, source| LabError::TlsFile {
        action,
        path: path.to_owned(),
        source,
    };
    let tmp = path.with_extension(format!("tmp.{}.{}", std::process::id(), unique()));
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let written = opts.open(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(err("write", e));
    }
    Ok(())
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Best-effort cross-process lock: an exclusively created file. A lock older than
/// `STALE` is assumed left by a crashed process; if we still can't get it we go on
/// unlocked (writes are atomic anyway, the worst case is a regenerated cert).
struct DirLock(Option<PathBuf>);

impl DirLock {
    const STALE: Duration = Duration::from_secs(10);
    const GIVE_UP: Duration = Duration::from_secs(15);

    fn acquire(dir: &Path) -> Self {
        let path = dir.join(LOCK_FILE);
        let started = Instant::now();
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return DirLock(Some(path)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > Self::STALE);
                    if stale {
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                }
                Err(_) => return DirLock(None),
            }
            if started.elapsed() > Self::GIVE_UP {
                return DirLock(None);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_then_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        let second = load_or_create(dir.path()).unwrap();
        assert_eq!(first.cert_pem, second.cert_pem);
        assert!(!dir.path().join(LOCK_FILE).exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn cert_pem_is_a_ca_that_verifies_the_served_chain() {
        let dir = tempfile::tempdir().unwrap();
        let lab = load_or_create(dir.path()).unwrap();
        let chain = fs::read_to_string(dir.path().join(CHAIN_FILE)).unwrap();
        assert_eq!(
            chain.matches("BEGIN CERTIFICATE").count(),
            2,
            "leaf then CA"
        );
        assert!(chain.ends_with(&lab.cert_pem), "the CA closes the chain");
        assert!(still_valid(&lab.cert_pem, &chain));
        // The leaf alone is not a trust anchor for itself: only the CA is.
        let leaf_only = chain.replace(&lab.cert_pem, "");
        assert!(!still_valid(&leaf_only, &chain));
    }

    #[test]
    fn replaces_garbage() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(CERT_FILE), "not a cert").unwrap();
        fs::write(dir.path().join(KEY_FILE), "not a key").unwrap();
        let cert = load_or_create(dir.path()).unwrap();
        assert!(cert.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(
            fs::read_to_string(dir.path().join(CERT_FILE)).unwrap(),
            cert.cert_pem
        );
    }
}
