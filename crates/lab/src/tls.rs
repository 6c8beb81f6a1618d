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
    let key_path = dir.join(KEY_FILE);

    if let Some(existing) = read_valid(&cert_path, &key_path) {
        return Ok(existing);
    }

    let (cert_pem, key_pem) = generate()?;
    // Key first: a reader never sees a new cert with an old key for longer than one rename.
    write_atomic(&key_path, key_pem.as_bytes(), 0o600)?;
    write_atomic(&cert_path, cert_pem.as_bytes(), 0o644)?;
    let server_config = server_config(&cert_pem, &key_pem)?;
    Ok(LabCert {
        cert_pem,
        cert_path,
        server_config,
    })
}

fn read_valid(cert_path: &Path, key_path: &Path) -> Option<LabCert> {
    let cert_pem = fs::read_to_string(cert_path).ok()?;
    let key_pem = fs::read_to_string(key_path).ok()?;
    let server_config = server_config(&cert_pem, &key_pem).ok()?;
    still_valid(&cert_pem).then(|| LabCert {
        cert_pem,
        cert_path: cert_path.to_owned(),
        server_config,
    })
}

/// The cert must verify for the names we serve, well before expiry; checked the way a
/// client would, with the cert as its own trust anchor.
fn still_valid(cert_pem: &str) -> bool {
    let Ok(cert) = CertificateDer::from_pem_slice(cert_pem.as_bytes()) else {
        return false;
    };
    let mut roots = rustls::RootCertStore::empty();
    if roots.add(cert.clone()).is_err() {
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
                .verify_server_cert(&cert, &[], &name, &[], UnixTime::since_unix_epoch(at))
                .is_ok()
        })
    })
}

fn generate() -> Result<(String, String), LabError> {
    let mut params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "Authlens lab");
    params.distinguished_name = dn;
    // Backdate a little for clock skew between the lab and the product.
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + VALIDITY;
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok((cert.pem(), key.serialize_pem()))
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
