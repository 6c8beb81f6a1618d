//! SQLite history store. STUB.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("stub")]
    Stub,
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        "store.stub"
    }
}
