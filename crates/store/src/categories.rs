//! Training categories (培训类别) of each term and their rules.

use sqlx::{AnyConnection, Row};
use xueshi_core::category::parse_scope_words;
use xueshi_core::{CategoryRules, EvidenceRule, Hours, ParseError, TermCode};

use crate::columns;
use crate::{Result, StoreError, new_id};

/// One category of one term.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Category {
    pub id: String,
    pub term_code: TermCode,
    /// 1 to 8, in the order the center publishes the categories.
    pub code: u8,
    pub name: String,
    /// One sentence saying what the category covers.
    pub scope: String,
    pub rules: CategoryRules,
}

/// The error of [`update`].
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// The rules failed `CategoryRules::validate`. Each error's message is Chinese and
    /// names the field.
    #[error("类别规则有误：{}", join_messages(.0))]
    Invalid(Vec<ParseError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn join_messages(errors: &[ParseError]) -> String {
    errors
        .iter()
        .map(|error| error.message.as_str())
        .collect::<Vec<_>>()
        .join("")
}

/// The separator of scope words in the `scope_words` column.
const SCOPE_WORD_SEPARATOR: &str = "、";

const CATEGORY_COLUMNS: &str = "id, term_code, code, name, scope, max_hours_per_claim, max_hours_per_day, \
    evidence_rule, requires_activity, school_accredited, min_notes_chars, scope_words";

fn category_from_row(row: &sqlx::any::AnyRow) -> Result<Category> {
    let code: i64 = row.try_get("code")?;
    let code =
        u8::try_from(code).map_err(|error| columns::corrupt("code", &code.to_string(), error))?;
    let rule_text = columns::text(row, "evidence_rule")?;
    let evidence = EvidenceRule::parse(&rule_text)
        .map_err(|error| columns::corrupt("evidence_rule", &rule_text, error))?;
    let min_notes: i64 = row.try_get("min_notes_chars")?;
    let min_notes_chars = u32::try_from(min_notes)
        .map_err(|error| columns::corrupt("min_notes_chars", &min_notes.to_string(), error))?;
    Ok(Category {
        id: columns::text(row, "id")?,
        term_code: columns::term_code(row, "term_code")?,
        code,
        name: columns::text(row, "name")?,
        scope: columns::text(row, "scope")?,
        rules: CategoryRules {
            max_hours_per_claim: columns::opt_hours(row, "max_hours_per_claim")?,
            max_hours_per_day: columns::hours(row, "max_hours_per_day")?,
            evidence,
            requires_activity: columns::flag(row, "requires_activity")?,
            school_accredited: columns::flag(row, "school_accredited")?,
            min_notes_chars,
            scope_words: parse_scope_words(&columns::text(row, "scope_words")?),
        },
    })
}

/// Inserts a category whose rules the caller has validated.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    term: TermCode,
    code: u8,
    name: &str,
    scope: &str,
    rules: &CategoryRules,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO categories (id, term_code, code, name, scope, max_hours_per_claim, max_hours_per_day, \
         evidence_rule, requires_activity, school_accredited, min_notes_chars, scope_words) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(term.to_string())
    .bind(i16::from(code))
    .bind(name)
    .bind(scope)
    .bind(rules.max_hours_per_claim.map(Hours::tenths))
    .bind(rules.max_hours_per_day.tenths())
    .bind(rules.evidence.to_string())
    .bind(columns::flag_value(rules.requires_activity))
    .bind(columns::flag_value(rules.school_accredited))
    .bind(i64::from(rules.min_notes_chars))
    .bind(rules.scope_words.join(SCOPE_WORD_SEPARATOR))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Lists the categories of a term by code.
pub async fn list_for_term(conn: &mut AnyConnection, term: TermCode) -> Result<Vec<Category>> {
    let sql =
        format!("SELECT {CATEGORY_COLUMNS} FROM categories WHERE term_code = $1 ORDER BY code");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(term.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(category_from_row).collect()
}

/// Finds a category by id.
pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Category> {
    let sql = format!("SELECT {CATEGORY_COLUMNS} FROM categories WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref()
        .map(category_from_row)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// Finds the category of a term by its code (1 to 8).
pub async fn find_by_code(
    conn: &mut AnyConnection,
    term: TermCode,
    code: u8,
) -> Result<Option<Category>> {
    let sql =
        format!("SELECT {CATEGORY_COLUMNS} FROM categories WHERE term_code = $1 AND code = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(term.to_string())
        .bind(i16::from(code))
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(category_from_row).transpose()
}

/// Replaces a category's name, scope and rules after checking the rules with
/// `CategoryRules::validate`, so that only valid rules are stored.
///
/// Claims already decided keep their hours, and the new rules apply to later
/// submissions and decisions.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    name: &str,
    scope: &str,
    rules: &CategoryRules,
) -> Result<(), UpdateError> {
    rules.validate().map_err(UpdateError::Invalid)?;
    let result = sqlx::query(
        "UPDATE categories SET name = $2, scope = $3, max_hours_per_claim = $4, max_hours_per_day = $5, \
         evidence_rule = $6, requires_activity = $7, school_accredited = $8, min_notes_chars = $9, \
         scope_words = $10 WHERE id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(scope)
    .bind(rules.max_hours_per_claim.map(Hours::tenths))
    .bind(rules.max_hours_per_day.tenths())
    .bind(rules.evidence.to_string())
    .bind(columns::flag_value(rules.requires_activity))
    .bind(columns::flag_value(rules.school_accredited))
    .bind(i64::from(rules.min_notes_chars))
    .bind(rules.scope_words.join(SCOPE_WORD_SEPARATOR))
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from)?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound.into());
    }
    Ok(())
}
