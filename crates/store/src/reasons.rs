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

/// A rejection reason as the center's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReasonRow {
    pub code: String,
    pub label: String,
    pub sort_order: i64,
    /// Whether reviewers are offered the reason.
    pub active: bool,
    /// Number of decisions that gave this reason.
    pub uses: i64,
}

const REASON_ROW_SQL: &str = "SELECT r.code, r.label, r.sort_order, r.active, \
    (SELECT COUNT(*) FROM decisions d WHERE d.reason_code = r.code) AS uses FROM rejection_reasons r";

fn reason_row_from_row(row: &sqlx::any::AnyRow) -> Result<ReasonRow> {
    Ok(ReasonRow {
        code: columns::text(row, "code")?,
        label: columns::text(row, "label")?,
        sort_order: columns::int(row, "sort_order")?,
        active: columns::flag(row, "active")?,
        uses: columns::int(row, "uses")?,
    })
}

/// Lists every reason, active or not, in display order.
pub async fn list_all(conn: &mut AnyConnection) -> Result<Vec<ReasonRow>> {
    let sql = format!("{REASON_ROW_SQL} ORDER BY r.sort_order, r.code");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(reason_row_from_row).collect()
}

/// Finds one reason, active or not.
pub async fn get(conn: &mut AnyConnection, code: &str) -> Result<ReasonRow> {
    let sql = format!("{REASON_ROW_SQL} WHERE r.code = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    reason_row_from_row(&row)
}

/// Inserts an active reason. The caller validates it with `RejectionReason::validate`.
/// A code that exists already is `StoreError::Unique`.
pub async fn insert(conn: &mut AnyConnection, reason: &RejectionReason) -> Result<()> {
    sqlx::query(
        "INSERT INTO rejection_reasons (code, label, sort_order, active) VALUES ($1, $2, $3, 1)",
    )
    .bind(&reason.code)
    .bind(&reason.label)
    .bind(reason.sort_order)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replaces the label and position of a reason. Decisions keep its code, so they show
/// the new label.
pub async fn update(
    conn: &mut AnyConnection,
    code: &str,
    label: &str,
    sort_order: i64,
) -> Result<()> {
    let result =
        sqlx::query("UPDATE rejection_reasons SET label = $2, sort_order = $3 WHERE code = $1")
            .bind(code)
            .bind(label)
            .bind(sort_order)
            .execute(&mut *conn)
            .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Offers a reason to reviewers again, or stops offering it. An inactive reason stays
/// on the decisions that gave it.
pub async fn set_active(conn: &mut AnyConnection, code: &str, active: bool) -> Result<()> {
    let result = sqlx::query("UPDATE rejection_reasons SET active = $2 WHERE code = $1")
        .bind(code)
        .bind(columns::flag_value(active))
        .execute(&mut *conn)
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
