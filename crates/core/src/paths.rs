//! Where Authlens keeps its data: `$AUTHLENS_DATA_DIR`, else the platform data dir (`~/.local/share/authlens`).

use std::path::PathBuf;

pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("AUTHLENS_DATA_DIR") {
        return PathBuf::from(dir);
    }
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("authlens")
}

/// The history database.
pub fn default_db() -> PathBuf {
    data_dir().join("history.db")
}

/// Where the lab keeps its generated certificate and key, so a running lab and its profiles agree.
pub fn lab_tls_dir() -> PathBuf {
    data_dir().join("lab")
}

pub fn lab_cert() -> PathBuf {
    lab_tls_dir().join("cert.pem")
}
