//! Notifications shown to a person on their pages, such as a claim returned, rejected
//! or accredited.

use sqlx::AnyConnection;

use crate::columns;
use crate::{Result, new_id, now_ms};

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notification {
    pub id: String,
    pub person_id: String,
    pub claim_id: Option<String>,
    /// The event, e.g. `claim_returned`.
    pub kind: String,
    /// Chinese sentence for the person.
    pub message: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// Kinds of notification the claim transitions send.
pub mod kinds {
    pub const CLAIM_RETURNED: &str = "claim_returned";
    pub const CLAIM_REJECTED: &str = "claim_rejected";
    pub const CLAIM_ACCREDITED: &str = "claim_accredited";
}

/// Adds an unread notification for a person and returns its id.
pub async fn create(
    conn: &mut AnyConnection,
    person_id: &str,
    claim_id: Option<&str>,
    kind: &str,
    message: &str,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO notifications (id, person_id, claim_id, kind, message, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(person_id)
    .bind(claim_id)
    .bind(kind)
    .bind(message)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Lists a person's notifications, newest first.
pub async fn list(
    conn: &mut AnyConnection,
    person_id: &str,
    unread_only: bool,
) -> Result<Vec<Notification>> {
    let rows = sqlx::query(
        "SELECT id, person_id, claim_id, kind, message, created_at, read_at FROM notifications \
         WHERE person_id = $1 AND ($2 = 0 OR read_at IS NULL) ORDER BY created_at DESC, id DESC",
    )
    .bind(person_id)
    .bind(columns::flag_value(unread_only))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Notification {
                id: columns::text(row, "id")?,
                person_id: columns::text(row, "person_id")?,
                claim_id: columns::opt_text(row, "claim_id")?,
                kind: columns::text(row, "kind")?,
                message: columns::text(row, "message")?,
                created_at: columns::int(row, "created_at")?,
                read_at: columns::opt_int(row, "read_at")?,
            })
        })
        .collect()
}

/// Marks one of the person's notifications read and returns whether it was unread.
/// A notification of someone else is left alone and returns false.
pub async fn mark_read(conn: &mut AnyConnection, person_id: &str, id: &str) -> Result<bool> {
    let result = sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE id = $1 AND person_id = $2 AND read_at IS NULL",
    )
    .bind(id)
    .bind(person_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Marks the person's notifications about one claim read, as when they open the claim,
/// and returns how many were unread.
pub async fn mark_read_for_claim(
    conn: &mut AnyConnection,
    person_id: &str,
    claim_id: &str,
) -> Result<u64> {
    let result = sqlx::query(
        "UPDATE notifications SET read_at = $3 \
         WHERE person_id = $1 AND claim_id = $2 AND read_at IS NULL",
    )
    .bind(person_id)
    .bind(claim_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected())
}

/// Marks all of a person's notifications read and returns how many were unread.
pub async fn mark_all_read(conn: &mut AnyConnection, person_id: &str) -> Result<u64> {
    let result = sqlx::query(
        "UPDATE notifications SET read_at = $2 WHERE person_id = $1 AND read_at IS NULL",
    )
    .bind(person_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected())
}

/// Counts a person's unread notifications.
pub async fn count_unread(conn: &mut AnyConnection, person_id: &str) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM notifications WHERE person_id = $1 AND read_at IS NULL",
    )
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?;
    columns::int(&row, "n")
}
