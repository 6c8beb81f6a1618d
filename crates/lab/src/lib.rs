//! Authlens lab: a deliberately configurable auth server on 127.0.0.1 that Authlens
//! runs its login/refresh/logout checks against. Safe by default; each [`Flaw`]
//! switches on one classic mistake so a teacher can show the matching check flip.
//! It can run as several replicas on consecutive ports sharing one store (SQLite or a
//! Redis it spawns), to show what a load-balanced service gets wrong.
//!
//! ```no_run
//! # async fn demo() -> Result<(), authlens_lab::LabError> {
//! let mut cfg = authlens_lab::LabConfig::new(authlens_lab::Mode::Jwt);
//! cfg.flaws.insert(authlens_lab::Flaw::NoRotation);
//! let lab = authlens_lab::start(cfg).await?;
//! println!("lab at {}", lab.https_url);
//! lab.shutdown().await;
//! # Ok(()) }
//! ```

mod config;
mod cookies;
mod error;
mod http;
mod jwt;
mod pages;
mod ports;
mod rate_limit;
mod secrets;
mod server;
mod session_mode;
mod shape;
mod state;
mod store;
mod tls;
mod token_mode;
mod users;
mod wellknown;

pub use config::{
    Flaw, LabConfig, Lifetimes, MAX_REPLICAS, Mode, ParseNameError, RateLimit, StoreBackend,
    default_tls_dir,
};
pub use error::LabError;
pub use jwt::signing::Signing;
pub use server::{LabHandle, ReplicaUrls, start};
pub use shape::{DEFAULT_REPLICAS, Shape, teaching_lifetimes};
pub use users::{USERS, User};
