//! Terms (学年学期): the submission window, the review deadline and the hours each
//! teacher must reach. A new term gets its eight categories when it is created.

use jiff::civil::Date;
use sqlx::{AnyConnection, Connection};
use xueshi_core::category::default_categories;
use xueshi_core::{Hours, TermCode};

use crate::columns;
use crate::{Result, StoreError, now_ms};

/// A term and its dates.
///
/// The store does not check that the dates are in order. The form that edits a term
/// checks them, because [`current`] assumes `window_start <= window_end`.
// TODO: move a date-order check into xueshi-core once it has a term rule type.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Term {
    pub code: TermCode,
    /// First day teachers may submit claims, in Asia/Shanghai.
    pub window_start: Date,
    /// Last day teachers may submit claims.
    pub window_end: Date,
    /// Last day of review.
    pub review_deadline: Date,
    /// Hours each teacher must reach in the term.
    pub required_hours: Hours,
}

/// The source of a new term's categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategorySeed {
    /// The eight categories of `xueshi_core::category::default_categories`.
    Defaults,
    /// A copy of the categories of this earlier term, with the center's edits.
    CopiedFrom(TermCode),
}

const TERM_COLUMNS: &str = "code, window_start, window_end, review_deadline, required_hours";

fn term_from_row(row: &sqlx::any::AnyRow) -> Result<Term> {
    Ok(Term {
        code: columns::term_code(row, "code")?,
        window_start: columns::date(row, "window_start")?,
        window_end: columns::date(row, "window_end")?,
        review_deadline: columns::date(row, "review_deadline")?,
        required_hours: columns::hours(row, "required_hours")?,
    })
}

/// Creates a term with its categories, in one transaction.
///
/// The categories are copied from the latest term whose code comes before the new one,
/// so the center's edits carry over. When there is no such term, the eight default
/// categories are created. A term whose code exists already is `StoreError::Unique`.
pub async fn create(conn: &mut AnyConnection, term: &Term) -> Result<CategorySeed> {
    let mut tx = conn.begin().await?;
    sqlx::query(
        "INSERT INTO terms (code, window_start, window_end, review_deadline, required_hours, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(term.code.to_string())
    .bind(term.window_start.to_string())
    .bind(term.window_end.to_string())
    .bind(term.review_deadline.to_string())
    .bind(term.required_hours.tenths())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;

    let previous = previous_term(&mut tx, term.code).await?;
    let seed = match previous {
        Some(previous) => {
            copy_categories(&mut tx, previous, term.code).await?;
            CategorySeed::CopiedFrom(previous)
        }
        None => {
            for default in default_categories() {
                crate::categories::insert(
                    &mut tx,
                    term.code,
                    default.code,
                    default.name,
                    default.scope,
                    &default.rules,
                )
                .await?;
            }
            CategorySeed::Defaults
        }
    };
    tx.commit().await?;
    Ok(seed)
}

/// Finds the latest term whose code sorts before `code`. Codes are `YYYY-YYYY-N`, so
/// their text order is their time order.
async fn previous_term(conn: &mut AnyConnection, code: TermCode) -> Result<Option<TermCode>> {
    let row = sqlx::query("SELECT code FROM terms WHERE code < $1 ORDER BY code DESC LIMIT 1")
        .bind(code.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref()
        .map(|row| columns::term_code(row, "code"))
        .transpose()
}

async fn copy_categories(conn: &mut AnyConnection, from: TermCode, to: TermCode) -> Result<()> {
    let categories = crate::categories::list_for_term(conn, from).await?;
    for category in categories {
        crate::categories::insert(
            conn,
            to,
            category.code,
            &category.name,
            &category.scope,
            &category.rules,
        )
        .await?;
    }
    Ok(())
}

/// Lists all terms, newest first.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<Term>> {
    let sql = format!("SELECT {TERM_COLUMNS} FROM terms ORDER BY code DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(term_from_row).collect()
}

/// Finds a term by code.
pub async fn get(conn: &mut AnyConnection, code: TermCode) -> Result<Term> {
    let sql = format!("SELECT {TERM_COLUMNS} FROM terms WHERE code = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref()
        .map(term_from_row)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// Replaces the dates and required hours of the term `term.code`.
pub async fn update(conn: &mut AnyConnection, term: &Term) -> Result<()> {
    let result = sqlx::query(
        "UPDATE terms SET window_start = $2, window_end = $3, review_deadline = $4, required_hours = $5 \
         WHERE code = $1",
    )
    .bind(term.code.to_string())
    .bind(term.window_start.to_string())
    .bind(term.window_end.to_string())
    .bind(term.review_deadline.to_string())
    .bind(term.required_hours.tenths())
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Finds the term in effect on `today` (a date in Asia/Shanghai, see
/// `xueshi_core::date::school_date`): the term whose submission window contains it, or
/// else the term that started most recently before it. Returns `None` when every term
/// starts after `today`.
pub async fn current(conn: &mut AnyConnection, today: Date) -> Result<Option<Term>> {
    // Dates are `YYYY-MM-DD` text, whose text order is their calendar order. A window
    // that contains today sorts first, and after it the latest start.
    let sql = format!(
        "SELECT {TERM_COLUMNS} FROM terms WHERE window_start <= $1 \
         ORDER BY CASE WHEN window_end >= $1 THEN 0 ELSE 1 END, window_start DESC, code DESC LIMIT 1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(today.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(term_from_row).transpose()
}
