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

// Temporary stand-in while the store lands (interface as agreed).
#[derive(Clone)]
pub struct Store {}

impl Store {
    pub async fn begin_run(&self, _: &crate::model::Run) -> Result<(), StoreError> { todo!() }
    pub async fn save_profile(&self, _: &str, _: &str) -> Result<(), StoreError> { todo!() }
    pub async fn add_exchange(&self, _: &str, _: &crate::model::Exchange) -> Result<(), StoreError> { todo!() }
    pub async fn add_credential(&self, _: &str, _: &crate::model::Credential) -> Result<(), StoreError> { todo!() }
    pub async fn add_observation(&self, _: &str, _: &crate::model::Observation) -> Result<(), StoreError> { todo!() }
    pub async fn add_event(&self, _: &str, _: &crate::model::FlowEvent) -> Result<(), StoreError> { todo!() }
    pub async fn finish_run(&self, _: &crate::model::Run) -> Result<(), StoreError> { todo!() }
}
