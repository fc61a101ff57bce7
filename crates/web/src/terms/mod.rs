//! Terms (学年学期) and their categories as the center's administrators edit them,
//! shared by the pages, the API and the command line. Each write validates, writes and
//! appends its audit row in one transaction, and its errors carry the Chinese message
//! for the person.

pub mod categories;
mod pages;

use jiff::civil::Date;
use xueshi_core::date::{parse_date, school_date};
use xueshi_core::{Hours, ParseError, TermCode};
use xueshi_store::audit::{self, Actor, AuditEntry};
use xueshi_store::terms::{self, CategorySeed, Term};
use xueshi_store::{Conn, Db, StoreError};

use crate::access::Route;
use crate::error::{AppError, AppResult, FieldError};

pub fn routes() -> Vec<Route> {
    pages::routes()
}

/// Returns today's date in Asia/Shanghai, the date terms and filing delays count in.
pub fn today() -> Date {
    school_date(jiff::Timestamp::now())
}

/// A term's fields as a form, the API or the command line gives them.
#[derive(Debug, Clone, Default)]
pub struct TermInput {
    /// Code such as `2025-2026-1` or `2025-2026学年第一学期`, ignored when a term is edited.
    pub code: String,
    pub window_start: String,
    pub window_end: String,
    pub review_deadline: String,
    /// Blank means no required hours (0).
    pub required_hours: String,
}

impl TermInput {
    /// Fills the inputs with a stored term, for an edit form.
    pub fn from_term(term: &Term) -> Self {
        Self {
            code: term.code.to_string(),
            window_start: term.window_start.to_string(),
            window_end: term.window_end.to_string(),
            review_deadline: term.review_deadline.to_string(),
            required_hours: if term.required_hours.is_zero() {
                String::new()
            } else {
                term.required_hours.to_string()
            },
        }
    }
}

/// Collects field errors into one `AppError::Invalid` whose message lists them all.
pub(crate) fn invalid_fields(fields: Vec<FieldError>) -> AppError {
    let message = fields
        .iter()
        .map(|field| field.message.as_str())
        .collect::<Vec<_>>()
        .join("");
    AppError::Invalid { message, fields }
}

pub(crate) fn field_error(error: ParseError) -> FieldError {
    FieldError {
        field: error.field.to_owned(),
        message: error.message,
    }
}

fn date_field(field: &'static str, raw: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    parse_date(field, raw)
        .map_err(|error| errors.push(field_error(error)))
        .ok()
}

/// Parses a term's dates and required hours for the term `code`. The window must end on
/// or after its start, and review must end on or after the window.
fn parse_term(code: TermCode, input: &TermInput) -> AppResult<Term> {
    let mut errors = Vec::new();
    let window_start = date_field("提交开始日期", &input.window_start, &mut errors);
    let window_end = date_field("提交截止日期", &input.window_end, &mut errors);
    let review_deadline = date_field("审核截止日期", &input.review_deadline, &mut errors);
    let required_hours = if input.required_hours.trim().is_empty() {
        Some(Hours::ZERO)
    } else {
        Hours::parse("每人应完成学时", &input.required_hours)
            .map_err(|error| errors.push(field_error(error)))
            .ok()
    };
    let (Some(window_start), Some(window_end), Some(review_deadline), Some(required_hours)) =
        (window_start, window_end, review_deadline, required_hours)
    else {
        return Err(invalid_fields(errors));
    };

    // A window more than a year away from its school year is almost always a typo in the
    // year, such as 2052 for 2025.
    let first_year = code.first_year();
    if window_start.year() < first_year || window_start.year() > first_year + 2 {
        errors.push(FieldError {
            field: "提交开始日期".into(),
            message: format!(
                "提交开始日期 {window_start} 不在 {} 学年前后，请检查年份。",
                code.school_year()
            ),
        });
    }
    if window_end < window_start {
        errors.push(FieldError {
            field: "提交截止日期".into(),
            message: format!(
                "提交截止日期 {window_end} 早于提交开始日期 {window_start}，请改为开始日期当天或之后。"
            ),
        });
    }
    if review_deadline < window_end {
        errors.push(FieldError {
            field: "审核截止日期".into(),
            message: format!(
                "审核截止日期 {review_deadline} 早于提交截止日期 {window_end}，最后提交的申报将来不及审核。请改为提交截止日期当天或之后。"
            ),
        });
    }
    if !errors.is_empty() {
        return Err(invalid_fields(errors));
    }
    Ok(Term {
        code,
        window_start,
        window_end,
        review_deadline,
        required_hours,
    })
}

fn term_json(term: &Term) -> serde_json::Value {
    serde_json::json!({
        "code": term.code.to_string(),
        "window_start": term.window_start.to_string(),
        "window_end": term.window_end.to_string(),
        "review_deadline": term.review_deadline.to_string(),
        "required_hours": term.required_hours.to_string(),
    })
}

/// Creates a term with its eight categories and returns the term with the source of its
/// categories.
pub async fn create_term(
    db: &Db,
    actor: &Actor,
    input: &TermInput,
) -> AppResult<(Term, CategorySeed)> {
    let code =
        TermCode::parse(&input.code).map_err(|error| invalid_fields(vec![field_error(error)]))?;
    let term = parse_term(code, input)?;

    let mut tx = db.begin_write().await?;
    match terms::get(&mut tx, code).await {
        Ok(_) => {
            return Err(AppError::Conflict(format!(
                "{}（{code}）已经建立，无需重复建立。如需修改日期，请打开该学期编辑。",
                code.label()
            )));
        }
        Err(StoreError::NotFound) => {}
        Err(error) => return Err(error.into()),
    }
    let seed = terms::create(&mut tx, &term)
        .await
        .map_err(|error| match error {
            StoreError::Unique(_) => AppError::Conflict(format!("{}已经建立。", code.label())),
            other => other.into(),
        })?;
    let mut after = term_json(&term);
    after["categories_from"] = match &seed {
        CategorySeed::Defaults => serde_json::json!("defaults"),
        CategorySeed::CopiedFrom(previous) => serde_json::json!(previous.to_string()),
    };
    let code_text = code.to_string();
    let entry = AuditEntry {
        entity: "term",
        entity_id: &code_text,
        action: "create",
        after: Some(after),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    tracing::info!(term.code = %code, "term created");
    Ok((term, seed))
}

/// Replaces a term's dates and required hours. The code cannot change because it is the
/// key that categories, activities and claims refer to.
pub async fn update_term(
    db: &Db,
    actor: &Actor,
    code: TermCode,
    input: &TermInput,
) -> AppResult<Term> {
    let term = parse_term(code, input)?;
    let mut tx = db.begin_write().await?;
    let before = terms::get(&mut tx, code).await?;
    terms::update(&mut tx, &term).await?;
    let code_text = code.to_string();
    let entry = AuditEntry {
        entity: "term",
        entity_id: &code_text,
        action: "update",
        before: Some(term_json(&before)),
        after: Some(term_json(&term)),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(term)
}

/// Returns the sentence naming the source of a new term's categories.
pub fn seed_message(seed: &CategorySeed) -> String {
    match seed {
        CategorySeed::Defaults => {
            "培训类别已按默认设置建立八个，可在下方逐一查看和修改。".to_owned()
        }
        CategorySeed::CopiedFrom(previous) => format!(
            "培训类别已从{}复制，包括中心对类别规则的修改，可在下方逐一查看和修改。",
            previous.label()
        ),
    }
}

/// A term with whether it is the one in effect today.
#[derive(Debug, Clone)]
pub struct TermListing {
    pub term: Term,
    pub current: bool,
}

/// Lists every term, newest first, marking the one in effect on `today`.
pub async fn list_terms(conn: &mut Conn, today: Date) -> AppResult<Vec<TermListing>> {
    let current = terms::current(conn, today).await?.map(|term| term.code);
    Ok(terms::list(conn)
        .await?
        .into_iter()
        .map(|term| TermListing {
            current: Some(term.code) == current,
            term,
        })
        .collect())
}

/// Parses a term code from a URL or a query and finds the term. An unknown or malformed
/// code is `NotFound`.
pub async fn find_term(conn: &mut Conn, raw: &str) -> AppResult<Term> {
    let code = TermCode::parse(raw).map_err(|_| AppError::NotFound)?;
    Ok(terms::get(conn, code).await?)
}

/// Returns the term in effect today, or else the newest term, or `None` when no term
/// exists yet.
pub async fn default_term(conn: &mut Conn) -> AppResult<Option<Term>> {
    if let Some(term) = terms::current(conn, today()).await? {
        return Ok(Some(term));
    }
    Ok(terms::list(conn).await?.into_iter().next())
}
