//! Rejection reasons (未通过原因) that reviewers choose from.

use sqlx::{AnyConnection, Connection};
use xueshi_core::RejectionReason;
use xueshi_core::reason::default_reasons;

use crate::columns;
use crate::{Result, StoreError};

/// Inserts the default reasons that are missing and returns how many it inserted.
///
/// Reasons present already keep their label, order and active flag, so running this at
/// every start-up never undoes the center's edits.
pub async fn seed_defaults(conn: &mut AnyConnection) -> Result<u64> {
    let mut tx = conn.begin().await?;
    let mut inserted = 0;
    for reason in default_reasons() {
        let result = sqlx::query(
            "INSERT INTO rejection_reasons (code, label, sort_order, active) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(&reason.code)
        .bind(&reason.label)
        .bind(reason.sort_order)
        .execute(&mut *tx)
        .await?;
        inserted += result.rows_affected();
    }
    tx.commit().await?;
    Ok(inserted)
}

fn reason_from_row(row: &sqlx::any::AnyRow) -> Result<RejectionReason> {
    Ok(RejectionReason {
        code: columns::text(row, "code")?,
        label: columns::text(row, "label")?,
        sort_order: columns::int(row, "sort_order")?,
    })
}

/// Lists the reasons reviewers may choose, in display order.
pub async fn list_active(conn: &mut AnyConnection) -> Result<Vec<RejectionReason>> {
    let rows = sqlx::query(
        "SELECT code, label, sort_order FROM rejection_reasons WHERE active = 1 ORDER BY sort_order, code",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(reason_from_row).collect()
}

/// Returns the label of a reason, active or not (decisions keep the reason they used).
pub async fn label(conn: &mut AnyConnection, code: &str) -> Result<String> {
    let row = sqlx::query("SELECT label FROM rejection_reasons WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    columns::text(&row, "label")
}
