//! Authlens core: everything the CLI and the desktop app share. No Tauri dependency.
//!
//! Data flows one way: a [`profile::Profile`] says how to talk to a target; the [`flow`] runner executes
//! scenarios through the [`http`] client and records a [`model::Run`]; [`timeline`] and [`checks`] are pure
//! functions of that record; [`store`] persists it and [`report`] renders it, both through [`redact`].

pub mod checks;
pub mod cookies;
pub mod entropy;
pub mod error;
pub mod events;
pub mod flow;
pub mod http;
pub mod keychain;
pub mod model;
pub mod paths;
pub mod profile;
pub mod redact;
pub mod report;
pub mod store;
pub mod timeline;
pub mod tokens;

pub use error::CoreError;
