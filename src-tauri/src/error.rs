//! The one error every command returns. It serializes as `{code, message}` (the same shape as the core's
//! `CoreError` and the run's `ErrorInfo`), so the UI's rejected `invoke` promise always holds an `ApiError`.
//!
//! Codes are stable dotted ids: the core's own (`profile.invalid`, `http.tls`, `store.not-found`,
//! `flow.setup`, `cancelled`...), `lab.*` for the in-process lab, `request.invalid` for a malformed request,
//! `run.duplicate` for a request id already running, `store.unavailable` when the history database could not
//! be opened at startup, `keychain.*` for the OS keychain, `reference.*` for catalogue links.

use authlens_core::CoreError;
use authlens_core::checks::references::ReferenceError;
use authlens_core::flow::FlowError;
use authlens_core::http::HttpError;
use authlens_core::keychain::KeychainError;
use authlens_core::model::ErrorInfo;
use authlens_core::profile::{FormError, ProfileError};
use authlens_core::store::StoreError;
use authlens_lab::{LabError, ParseNameError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[error("{message}")]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            code: code.into(),
            message: message.into(),
        }
    }

    /// A request the UI should not have sent (unknown scenario, empty id...).
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new("request.invalid", message)
    }

    pub fn info(&self) -> ErrorInfo {
        ErrorInfo {
            code: self.code.clone(),
            message: self.message.clone(),
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<ProfileError> for ApiError {
    fn from(e: ProfileError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<FormError> for ApiError {
    fn from(e: FormError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<FlowError> for ApiError {
    fn from(e: FlowError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<HttpError> for ApiError {
    fn from(e: HttpError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<LabError> for ApiError {
    fn from(e: LabError) -> Self {
        let code = match &e {
            LabError::PortInUse { .. } => "lab.port-in-use",
            LabError::Listen { .. } => "lab.listen",
            LabError::FlawNotApplicable { .. } => "lab.flaw-not-applicable",
            LabError::ConflictingFlaws(..) => "lab.conflicting-flaws",
            LabError::TlsFile { .. } => "lab.tls-file",
            LabError::CertGen(_) => "lab.cert",
            LabError::Tls(_) => "lab.tls",
            LabError::Database(_) => "lab.database",
            LabError::Task(_) => "lab.task",
            _ => "lab.error",
        };
        ApiError::new(code, format!("cannot start the lab: {e}"))
    }
}

impl From<KeychainError> for ApiError {
    fn from(e: KeychainError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

impl From<ReferenceError> for ApiError {
    fn from(e: ReferenceError) -> Self {
        ApiError::new(e.code(), e.to_string())
    }
}

/// An unknown lab mode or flaw name in a request.
impl From<ParseNameError> for ApiError {
    fn from(e: ParseNameError) -> Self {
        ApiError::invalid(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authlens_lab::{Flaw, Mode};

    #[test]
    fn serializes_as_code_and_message() {
        let e = ApiError::new("x.y", "went wrong");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "x.y", "message": "went wrong"})
        );
        assert_eq!(e.to_string(), "went wrong");
        assert_eq!(e.info().code, "x.y");
    }

    #[test]
    fn core_errors_keep_their_codes() {
        let profile = authlens_core::profile::Profile::from_toml("name = 1", None).unwrap_err();
        let api = ApiError::from(profile.clone());
        assert_eq!(api.code, "profile.invalid");
        assert_eq!(api.message, profile.to_string());
        // Through CoreError the same.
        assert_eq!(ApiError::from(CoreError::from(profile)), api);

        assert_eq!(ApiError::from(CoreError::Cancelled).code, "cancelled");
        let flow = FlowError::Setup("no lab certificate".into());
        assert_eq!(ApiError::from(flow.clone()).code, "flow.setup");
        assert_eq!(
            ApiError::from(CoreError::from(flow)).message,
            "no lab certificate"
        );
        let store = StoreError::NotFound("no run `abc`".into());
        let api = ApiError::from(store);
        assert_eq!(
            (api.code.as_str(), api.message.as_str()),
            ("store.not-found", "no run `abc`")
        );
    }

    #[test]
    fn lab_and_name_errors_map_to_lab_and_request_codes() {
        let api = ApiError::from(LabError::PortInUse { port: 8443 });
        assert_eq!(api.code, "lab.port-in-use");
        assert_eq!(
            api.message,
            "cannot start the lab: port 8443 on 127.0.0.1 is in use"
        );
        let api = ApiError::from(LabError::ConflictingFlaws(
            Flaw::NoSamesite,
            Flaw::SamesiteNone,
        ));
        assert_eq!(api.code, "lab.conflicting-flaws");

        let api = ApiError::from("nope".parse::<Mode>().unwrap_err());
        assert_eq!(api.code, "request.invalid");
        assert!(
            api.message.contains("unknown mode `nope`"),
            "{}",
            api.message
        );
        let api = ApiError::from("bad".parse::<Flaw>().unwrap_err());
        assert!(
            api.message.contains("unknown flaw `bad`"),
            "{}",
            api.message
        );
    }
}
