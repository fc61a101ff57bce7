//! Database access for xueshi: one code base on SQLite (the embedded default) and
//! PostgreSQL through sqlx's `Any` driver, with the migrations of both and the SQL of
//! every feature in named functions. Handlers never build SQL; the core never sees a
//! connection.
//!
//! Column conventions (the `Any` driver decodes only integers, floats, text and blobs):
//! ids are UUIDv7 text, times BIGINT milliseconds (UTC), calendar dates `YYYY-MM-DD` text,
//! flags SMALLINT 0/1, hours BIGINT tenths. PostgreSQL returns NUMERIC for `SUM` of
//! BIGINT, which `Any` cannot decode, so sums are cast back to BIGINT.

pub mod activities;
pub mod audit;
pub mod auth;
pub mod blobs;
pub mod categories;
pub mod claims;
mod columns;
mod db;
mod error;
pub mod evidence;
pub mod history_import;
pub mod notifications;
pub mod people;
pub mod reasons;
pub mod reports;
pub mod terms;
pub mod transcripts;
pub mod units;

#[cfg(feature = "testing")]
pub mod testing;

#[cfg(feature = "testing")]
pub mod report_fixture;

pub use db::{Backend, Db, Tx, commit};

/// The connection every repository function takes: `&mut conn` from [`Db::conn`] or
/// `&mut tx` from [`Db::begin_write`].
pub type Conn = sqlx::AnyConnection;
pub use error::StoreError;

/// Returns a new time-ordered id (UUIDv7) as text.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Returns the current time as milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
