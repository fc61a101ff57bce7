//! The reviewers' queue: claims waiting at a reviewer's level in the reviewer's scope.

use jiff::civil::Date;
use sqlx::AnyConnection;
use xueshi_core::{ClaimStatus, Hours, ReviewLevel, TermCode};

use crate::Result;
use crate::activities::TrainingMode;
use crate::columns;

/// The offices, units or whole school whose claims a reviewer reviews.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueScope {
    /// An office director: claims of these offices.
    Office(Vec<String>),
    /// A unit reviewer: claims of these units.
    Unit(Vec<String>),
    /// The center: claims of every unit.
    School,
}

impl QueueScope {
    /// Returns the review level this scope decides at.
    pub fn level(&self) -> ReviewLevel {
        match self {
            QueueScope::Office(_) => ReviewLevel::Office,
            QueueScope::Unit(_) => ReviewLevel::Unit,
            QueueScope::School => ReviewLevel::School,
        }
    }
}

/// The order of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueSort {
    /// Longest waiting first.
    #[default]
    SubmittedOldest,
    SubmittedNewest,
    /// By unit, office and staff ID.
    Teacher,
    /// Most claimed hours first.
    HoursDescending,
    /// Most flags first.
    FlagsDescending,
    /// Earliest training start first.
    StartDate,
}

impl QueueSort {
    /// Returns whether the order reads only columns of the claims table.
    fn orders_by_claim_only(self) -> bool {
        !matches!(self, QueueSort::Teacher | QueueSort::FlagsDescending)
    }

    fn order_by(self) -> &'static str {
        match self {
            QueueSort::SubmittedOldest => "c.submitted_at, c.id",
            QueueSort::SubmittedNewest => "c.submitted_at DESC, c.id DESC",
            QueueSort::Teacher => "u.sort_order, u.name, o.name, p.staff_id, c.submitted_at, c.id",
            QueueSort::HoursDescending => "c.claimed_hours DESC, c.submitted_at, c.id",
            QueueSort::FlagsDescending => "flag_count DESC, c.submitted_at, c.id",
            QueueSort::StartDate => "c.start_date, c.submitted_at, c.id",
        }
    }
}

/// Largest page a query returns.
pub const MAX_PAGE_SIZE: i64 = 200;

/// The selection, order and page of claims that [`queue`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFilter {
    pub scope: QueueScope,
    /// The person looking at the queue: their own claims never appear in it.
    pub reviewer_id: String,
    /// `None` lists the claims waiting at the scope's level. `Some(status)` lists the
    /// scope's claims in that status at any level, for looking up decided claims. Drafts
    /// are never listed.
    pub status: Option<ClaimStatus>,
    pub term: Option<TermCode>,
    pub category_id: Option<String>,
    /// Only claims whose category has this code (1 to 8), in whichever term.
    pub category_code: Option<u8>,
    /// Only claims carrying a flag of this code, e.g. `identical_evidence`.
    pub flag_code: Option<String>,
    /// Only claims carrying any flag.
    pub flagged_only: bool,
    /// Matches the teacher's staff ID or name anywhere in the text.
    pub teacher_search: Option<String>,
    /// Only trainings that start on or after this date.
    pub start_from: Option<Date>,
    /// Only trainings that start on or before this date.
    pub start_to: Option<Date>,
    pub sort: QueueSort,
    /// 1 for the first page.
    pub page: i64,
    /// Rows per page, 1 to [`MAX_PAGE_SIZE`].
    pub page_size: i64,
}

impl QueueFilter {
    /// Builds the filter of a reviewer's waiting claims: the first page of 20, oldest
    /// first.
    pub fn waiting(scope: QueueScope, reviewer_id: &str) -> Self {
        Self {
            scope,
            reviewer_id: reviewer_id.to_owned(),
            status: None,
            term: None,
            category_id: None,
            category_code: None,
            flag_code: None,
            flagged_only: false,
            teacher_search: None,
            start_from: None,
            start_to: None,
            sort: QueueSort::default(),
            page: 1,
            page_size: 20,
        }
    }
}

/// One claim in the queue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueueRow {
    pub id: String,
    pub term_code: TermCode,
    pub category_id: String,
    pub category_code: u8,
    pub category_name: String,
    pub teacher_id: String,
    pub teacher_staff_id: String,
    pub teacher_name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub office_id: Option<String>,
    pub office_name: Option<String>,
    pub topic: String,
    pub start_date: Date,
    pub end_date: Date,
    pub mode: TrainingMode,
    pub claimed_hours: Hours,
    pub accredited_hours: Option<Hours>,
    pub activity_id: Option<String>,
    pub status: ClaimStatus,
    pub level: Option<ReviewLevel>,
    pub round: i64,
    pub version: i64,
    pub submitted_at: Option<i64>,
    pub flag_count: i64,
}

/// One page of the queue and the number of claims on all pages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub total: i64,
}

/// Lists the claims a reviewer may review, or has reviewed, in their scope.
///
/// The scope is enforced here: an office scope lists only claims of its offices, a unit
/// scope only claims of its units, and without a status filter only claims pending at
/// the scope's level. The reviewer's own claims are never listed. An empty list of
/// offices or units matches nothing.
pub async fn queue(conn: &mut AnyConnection, filter: &QueueFilter) -> Result<QueuePage> {
    let mut binds: Vec<String> = Vec::new();
    let mut conditions: Vec<String> = Vec::new();
    let mut bind = |value: String| {
        binds.push(value);
        format!("${}", binds.len())
    };

    let scope_ids = match &filter.scope {
        QueueScope::Office(ids) | QueueScope::Unit(ids) => Some(ids),
        QueueScope::School => None,
    };
    if let Some(ids) = scope_ids {
        if ids.is_empty() {
            return Ok(QueuePage {
                rows: Vec::new(),
                total: 0,
            });
        }
        let column = match filter.scope {
            QueueScope::Office(_) => "c.office_id",
            _ => "c.unit_id",
        };
        let placeholders: Vec<String> = ids.iter().map(|id| bind(id.clone())).collect();
        conditions.push(format!("{column} IN ({})", placeholders.join(", ")));
    }
    match filter.status {
        None => {
            let status = bind(ClaimStatus::Pending.as_str().to_owned());
            let level = bind(filter.scope.level().as_str().to_owned());
            conditions.push(format!("c.status = {status} AND c.level = {level}"));
        }
        Some(status) => {
            let status = bind(status.as_str().to_owned());
            let draft = bind(ClaimStatus::Draft.as_str().to_owned());
            conditions.push(format!("c.status = {status} AND c.status <> {draft}"));
        }
    }
    let reviewer = bind(filter.reviewer_id.clone());
    conditions.push(format!("c.teacher_id <> {reviewer}"));
    if let Some(term) = filter.term {
        let term = bind(term.to_string());
        conditions.push(format!("c.term_code = {term}"));
    }
    if let Some(category_id) = &filter.category_id {
        let category = bind(category_id.clone());
        conditions.push(format!("c.category_id = {category}"));
    }
    if let Some(code) = filter.category_code {
        let code = bind(code.to_string());
        conditions.push(format!("g.code = CAST({code} AS SMALLINT)"));
    }
    if let Some(code) = &filter.flag_code {
        let code = bind(code.clone());
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM claim_flags f WHERE f.claim_id = c.id AND f.code = {code})"
        ));
    }
    if filter.flagged_only {
        conditions.push("EXISTS (SELECT 1 FROM claim_flags f WHERE f.claim_id = c.id)".to_owned());
    }
    let mut searches_teacher = false;
    if let Some(search) = filter
        .teacher_search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        searches_teacher = true;
        // Wildcards typed by the user are removed, since LIKE would let them match any text.
        let pattern = bind(format!("%{}%", search.replace(['%', '_', '\\'], "")));
        conditions.push(format!(
            "(p.staff_id LIKE {pattern} OR p.name LIKE {pattern})"
        ));
    }
    if let Some(from) = filter.start_from {
        let from = bind(from.to_string());
        conditions.push(format!("c.start_date >= {from}"));
    }
    if let Some(to) = filter.start_to {
        let to = bind(to.to_string());
        conditions.push(format!("c.start_date <= {to}"));
    }
    let where_clause = conditions.join(" AND ");
    let joins = "FROM claims c JOIN categories g ON g.id = c.category_id JOIN people p ON p.id = c.teacher_id \
        JOIN units u ON u.id = c.unit_id LEFT JOIN offices o ON o.id = c.office_id";

    // The count joins only the tables its conditions name, so a queue of thousands of
    // claims is counted from the claims index alone.
    let mut count_joins = String::from("FROM claims c");
    if filter.category_code.is_some() {
        count_joins.push_str(" JOIN categories g ON g.id = c.category_id");
    }
    if searches_teacher {
        count_joins.push_str(" JOIN people p ON p.id = c.teacher_id");
    }
    let count_sql = format!("SELECT COUNT(*) AS n {count_joins} WHERE {where_clause}");
    let mut count_query = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    for value in &binds {
        count_query = count_query.bind(value);
    }
    let total = columns::int(&count_query.fetch_one(&mut *conn).await?, "n")?;

    let page_size = filter.page_size.clamp(1, MAX_PAGE_SIZE);
    let offset = (filter.page.max(1) - 1).saturating_mul(page_size);
    let order_by = filter.sort.order_by();
    // When the order needs only the claim's own columns, the page's ids are chosen from
    // the claims alone first. Joined, a planner may start from the small tables and
    // sort every waiting claim of the school to keep twenty.
    let page_clause = if filter.sort.orders_by_claim_only() {
        format!(
            "c.id IN (SELECT c.id {count_joins} WHERE {where_clause} \
             ORDER BY {order_by} LIMIT {page_size} OFFSET {offset}) ORDER BY {order_by}"
        )
    } else {
        format!("{where_clause} ORDER BY {order_by} LIMIT {page_size} OFFSET {offset}")
    };
    let sql = format!(
        "SELECT c.id, c.term_code, c.category_id, g.code AS category_code, g.name AS category_name, \
         c.teacher_id, p.staff_id AS teacher_staff_id, p.name AS teacher_name, c.unit_id, u.name AS unit_name, \
         c.office_id, o.name AS office_name, c.topic, c.start_date, c.end_date, c.mode, c.claimed_hours, \
         c.accredited_hours, c.activity_id, c.status, c.level, c.round, c.version, c.submitted_at, \
         (SELECT COUNT(*) FROM claim_flags f WHERE f.claim_id = c.id) AS flag_count \
         {joins} WHERE {page_clause}"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for value in &binds {
        query = query.bind(value);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let rows = rows
        .iter()
        .map(|row| {
            Ok(QueueRow {
                id: columns::text(row, "id")?,
                term_code: columns::term_code(row, "term_code")?,
                category_id: columns::text(row, "category_id")?,
                category_code: super::category_code(row)?,
                category_name: columns::text(row, "category_name")?,
                teacher_id: columns::text(row, "teacher_id")?,
                teacher_staff_id: columns::text(row, "teacher_staff_id")?,
                teacher_name: columns::text(row, "teacher_name")?,
                unit_id: columns::text(row, "unit_id")?,
                unit_name: columns::text(row, "unit_name")?,
                office_id: columns::opt_text(row, "office_id")?,
                office_name: columns::opt_text(row, "office_name")?,
                topic: columns::text(row, "topic")?,
                start_date: columns::date(row, "start_date")?,
                end_date: columns::date(row, "end_date")?,
                mode: columns::parsed(row, "mode")?,
                claimed_hours: columns::hours(row, "claimed_hours")?,
                accredited_hours: columns::opt_hours(row, "accredited_hours")?,
                activity_id: columns::opt_text(row, "activity_id")?,
                status: columns::parsed(row, "status")?,
                level: columns::opt_parsed(row, "level")?,
                round: columns::int(row, "round")?,
                version: columns::int(row, "version")?,
                submitted_at: columns::opt_int(row, "submitted_at")?,
                flag_count: columns::int(row, "flag_count")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(QueuePage { rows, total })
}
