//! Domain types and rules of xueshi. This crate does no I/O: it parses values at the edge
//! (forms, import rows, API bodies) into types that can only hold valid values, and holds
//! the rules that the web forms, the importers and the API share.

pub mod category;
pub mod checks;
pub mod claim;
pub mod date;
pub mod error;
pub mod evidence;
pub mod history;
pub mod hours;
pub mod person;
pub mod reason;
pub mod report;
pub mod role;
pub mod similarity;
pub mod staff_id;
pub mod term;
pub mod text;
pub mod transcript;
pub mod unit;

pub use category::{CategoryDefault, CategoryRules, EvidenceRule};
pub use checks::{CheckConfig, Finding, Severity, check_claim};
pub use claim::{ClaimAction, ClaimState, ClaimStatus, Outcome, ReviewChain, ReviewLevel};
pub use error::ParseError;
pub use evidence::EvidenceKind;
pub use history::{HistoryCells, HistoryRow};
pub use hours::Hours;
pub use reason::RejectionReason;
pub use report::{UnitRow, UnitTable, unit_table};
pub use role::{Role, RoleKind};
pub use staff_id::StaffId;
pub use term::TermCode;
pub use unit::UnitKind;
