//! Target profiles (TOML). In progress.

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("stub")]
    Stub,
}

impl ProfileError {
    pub fn code(&self) -> &'static str {
        "profile.stub"
    }
}
