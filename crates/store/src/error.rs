use thiserror::Error;

/// Errors of the store that callers handle differently.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The row to change does not exist (or is not visible to the caller).
    #[error("not found")]
    NotFound,
    /// The row changed since it was read: the version guard did not match.
    #[error("conflict: the record changed since it was read")]
    Conflict,
    /// A unique constraint rejected the write; contains the database's message.
    #[error("unique constraint violated: {0}")]
    Unique(String),
    #[error(transparent)]
    Database(sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db_error) = &error
            && db_error.is_unique_violation()
        {
            return StoreError::Unique(db_error.message().to_owned());
        }
        if let sqlx::Error::RowNotFound = error {
            return StoreError::NotFound;
        }
        StoreError::Database(error)
    }
}
