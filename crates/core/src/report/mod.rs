//! Reports: text, JSON, JUnit XML, SARIF 2.1.0. STUB (interface as agreed).
pub mod text {
    pub struct TextOptions { pub color: bool, pub width: usize, pub verbose: bool }
    pub fn render(_run: &crate::model::Run, _t: &crate::timeline::Timeline, _o: &TextOptions) -> String { todo!() }
}
pub mod json {
    pub fn render(_runs: &[(crate::model::Run, crate::timeline::Timeline)]) -> String { todo!() }
}
pub mod junit {
    pub fn render(_runs: &[crate::model::Run], _fail_on: crate::model::Severity) -> String { todo!() }
}
pub mod sarif {
    pub fn render(_runs: &[crate::model::Run]) -> String { todo!() }
}
