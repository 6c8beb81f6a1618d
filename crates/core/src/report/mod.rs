//! Reports: text, JSON, JUnit XML, SARIF 2.1.0. STUB.
