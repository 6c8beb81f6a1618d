//! One error type for callers of the core, with one serialized shape `{code, message}` for every UI.
//! Each module owns its typed error; `code()` gives a stable dotted id ("http.tls", "profile.unknown-key").

use crate::model::ErrorInfo;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Profile(#[from] crate::profile::ProfileError),
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Flow(#[from] crate::flow::FlowError),
    #[error("the run was cancelled")]
    Cancelled,
}

impl CoreError {
    pub fn code(&self) -> String {
        match self {
            CoreError::Profile(e) => e.code().to_string(),
            CoreError::Http(e) => e.code().to_string(),
            CoreError::Store(e) => e.code().to_string(),
            CoreError::Flow(e) => e.code().to_string(),
            CoreError::Cancelled => "cancelled".to_string(),
        }
    }

    pub fn info(&self) -> ErrorInfo {
        ErrorInfo {
            code: self.code(),
            message: self.to_string(),
        }
    }
}

impl serde::Serialize for CoreError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.info().serialize(s)
    }
}
