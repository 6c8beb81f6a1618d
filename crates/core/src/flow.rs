//! Flow runner. In progress.

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("stub")]
    Stub,
}

impl FlowError {
    pub fn code(&self) -> &'static str {
        "flow.stub"
    }
}
