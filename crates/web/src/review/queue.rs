//! The reviewers' queue page and batch approval.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use xueshi_core::category::default_categories;
use xueshi_core::date::parse_date;
use xueshi_core::{ClaimStatus, ReviewLevel, TermCode};
use xueshi_store::claims::{self, MAX_PAGE_SIZE, QueueFilter, QueueRow, QueueSort};
use xueshi_store::{Conn, categories, terms};

use super::decide::{self, DecideOptions, Proposal};
use super::{scope, view};
use crate::AppState;
use crate::auth::{ClientInfo, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Query};
use crate::page::{FlashKind, Page, redirect_with_flash};

/// Rows on one page of the queue page.
pub const PAGE_SIZE: i64 = 20;

/// Most claims one batch approval takes.
pub const MAX_BATCH: usize = 200;

/// The queue's filters, order and page, as the page's query string and the API's query
/// parameters give them. Blank values count as absent.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// `office`, `unit` or `school`: the level whose queue to list, one of the caller's
    /// own. Defaults to the caller's first level in review order.
    pub level: Option<String>,
    /// `waiting` (default: claims waiting at that level), or `pending`, `returned`,
    /// `accredited`, `rejected` for the scope's claims in that status at any level.
    pub status: Option<String>,
    /// Term code such as `2025-2026-1`.
    pub term: Option<String>,
    /// Category code, 1 to 8.
    pub category: Option<String>,
    /// `any` for claims with any flag, or one flag code such as `identical_evidence`.
    pub flag: Option<String>,
    /// Part of the teacher's name or staff ID.
    pub teacher: Option<String>,
    /// Trainings starting on or after this date (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Trainings starting on or before this date (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// `submitted` (default, longest waiting first), `submitted_desc`, `start` (training
    /// start date), `hours` (most claimed hours first), `teacher` or `flags`.
    pub sort: Option<String>,
    /// Page number from 1.
    pub page: Option<String>,
    /// Rows per page, 1 to 200. Defaults to 20 on the page and 50 in the API.
    pub page_size: Option<String>,
}

/// The choices of the status filter.
pub const STATUS_CHOICES: [(&str, &str); 5] = [
    ("waiting", "待本级审核"),
    ("pending", "审核中（各级）"),
    ("returned", "已退回修改"),
    ("accredited", "已认定"),
    ("rejected", "未通过"),
];

/// The choices of the sort order.
pub const SORT_CHOICES: [(&str, &str); 6] = [
    ("submitted", "提交时间（最早在前）"),
    ("submitted_desc", "提交时间（最新在前）"),
    ("start", "培训开始日期"),
    ("hours", "申报学时（多在前）"),
    ("teacher", "教师（按单位、工号）"),
    ("flags", "检查标记（多在前）"),
];

fn blank_to_none(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn invalid(field: &str, message: String) -> AppError {
    AppError::Invalid {
        message: message.clone(),
        fields: vec![crate::error::FieldError {
            field: field.to_owned(),
            message,
        }],
    }
}

/// A parsed queue request.
#[derive(Debug, Clone)]
pub struct ParsedQueue {
    pub level: ReviewLevel,
    pub filter: QueueFilter,
    /// Whether the list shows the claims waiting at `level` (no status filter).
    pub waiting: bool,
}

impl QueueParams {
    /// Parses the parameters for `user`'s queue. A level the user does not review at is
    /// `Forbidden`, any other bad value `Invalid` with a message naming it.
    pub fn parse(&self, user: &CurrentUser, default_page_size: i64) -> AppResult<ParsedQueue> {
        let levels = scope::levels(user);
        let level = match blank_to_none(&self.level) {
            Some(raw) => raw.parse::<ReviewLevel>()?,
            None => *levels.first().ok_or_else(AppError::forbidden)?,
        };
        let scope = scope::queue_scope(user, level).ok_or_else(|| {
            AppError::Forbidden(format!(
                "您不是{}审核人，不能查看该级的审核队列。",
                level.label()
            ))
        })?;
        let mut filter = QueueFilter::waiting(scope, &user.person_id);

        filter.status = match blank_to_none(&self.status) {
            None | Some("waiting") => None,
            Some(raw) => match raw.parse::<ClaimStatus>() {
                Ok(status) if status != ClaimStatus::Draft => Some(status),
                _ => {
                    return Err(invalid(
                        "status",
                        format!(
                            "状态“{raw}”无效，可选：waiting、pending、returned、accredited、rejected。"
                        ),
                    ));
                }
            },
        };
        filter.term = blank_to_none(&self.term).map(TermCode::parse).transpose()?;
        filter.category_code = match blank_to_none(&self.category) {
            None => None,
            Some(raw) => match raw.parse::<u8>() {
                Ok(code) if (1..=8).contains(&code) => Some(code),
                _ => {
                    return Err(invalid(
                        "category",
                        format!("培训类别“{raw}”无效，请填写类别序号 1 到 8。"),
                    ));
                }
            },
        };
        match blank_to_none(&self.flag) {
            None => {}
            Some("any") => filter.flagged_only = true,
            Some(code) if is_flag_code(code) => filter.flag_code = Some(code.to_owned()),
            Some(raw) => {
                return Err(invalid(
                    "flag",
                    format!("检查标记“{raw}”无效，请填写 any 或标记代码，如 identical_evidence。"),
                ));
            }
        }
        filter.teacher_search =
            blank_to_none(&self.teacher).map(|text| text.chars().take(50).collect());
        filter.start_from = self.date("from", "开始日期（起）")?;
        filter.start_to = self.date("to", "开始日期（止）")?;
        filter.sort = self.sort()?;
        filter.page = positive(blank_to_none(&self.page), "page", "页码")?.unwrap_or(1);
        filter.page_size = match positive(blank_to_none(&self.page_size), "page_size", "每页条数")?
        {
            Some(size) if size > MAX_PAGE_SIZE => {
                return Err(invalid(
                    "page_size",
                    format!("每页条数 {size} 超过上限 {MAX_PAGE_SIZE}，请改小后重试。"),
                ));
            }
            Some(size) => size,
            None => default_page_size,
        };
        Ok(ParsedQueue {
            level,
            waiting: filter.status.is_none(),
            filter,
        })
    }

    fn date(&self, which: &str, label: &'static str) -> AppResult<Option<Date>> {
        let value = if which == "from" {
            &self.from
        } else {
            &self.to
        };
        Ok(blank_to_none(value)
            .map(|raw| parse_date(label, raw))
            .transpose()?)
    }

    fn sort(&self) -> AppResult<QueueSort> {
        Ok(match blank_to_none(&self.sort) {
            None | Some("submitted") => QueueSort::SubmittedOldest,
            Some("submitted_desc") => QueueSort::SubmittedNewest,
            Some("start") => QueueSort::StartDate,
            Some("hours") => QueueSort::HoursDescending,
            Some("teacher") => QueueSort::Teacher,
            Some("flags") => QueueSort::FlagsDescending,
            Some(raw) => {
                return Err(invalid(
                    "sort",
                    format!(
                        "排序方式“{raw}”无效，可选：submitted、submitted_desc、start、hours、teacher、flags。"
                    ),
                ));
            }
        })
    }

    /// Builds the query string of these parameters, with `page` replaced when given.
    /// Blank values are left out.
    pub fn to_query(&self, page: Option<i64>) -> String {
        let page = page.map(|p| p.to_string());
        let pairs: Vec<(&str, &str)> = [
            ("level", blank_to_none(&self.level)),
            ("status", blank_to_none(&self.status)),
            ("term", blank_to_none(&self.term)),
            ("category", blank_to_none(&self.category)),
            ("flag", blank_to_none(&self.flag)),
            ("teacher", blank_to_none(&self.teacher)),
            ("from", blank_to_none(&self.from)),
            ("to", blank_to_none(&self.to)),
            ("sort", blank_to_none(&self.sort)),
            ("page", page.as_deref().or(blank_to_none(&self.page))),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.map(|value| (key, value)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// Reads parameters back from a query string that [`QueueParams::to_query`] wrote.
    /// Text that does not parse gives the default queue.
    pub fn from_query(query: &str) -> Self {
        serde_urlencoded::from_str(query).unwrap_or_default()
    }

    /// Returns these parameters for the queue of `level`, first page.
    pub fn at_level(&self, level: ReviewLevel) -> Self {
        Self {
            level: Some(level.as_str().to_owned()),
            page: None,
            ..self.clone()
        }
    }

    fn value(&self, name: &str) -> &str {
        let value = match name {
            "level" => &self.level,
            "status" => &self.status,
            "term" => &self.term,
            "category" => &self.category,
            "flag" => &self.flag,
            _ => &self.sort,
        };
        blank_to_none(value).unwrap_or("")
    }
}

fn is_flag_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 40
        && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

fn positive(raw: Option<&str>, field: &str, label: &str) -> AppResult<Option<i64>> {
    match raw {
        None => Ok(None),
        Some(text) => match text.parse::<i64>() {
            Ok(value) if value >= 1 => Ok(Some(value)),
            _ => Err(invalid(
                field,
                format!("{label}“{text}”无效，请填写不小于 1 的整数。"),
            )),
        },
    }
}

/// One option of a select box.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(
    options: impl IntoIterator<Item = (String, String)> + 'a,
    current: &str,
) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

/// A level the person reviews at, as a tab above the queue.
pub struct LevelTab {
    pub label: &'static str,
    pub waiting: i64,
    pub href: String,
    pub active: bool,
}

/// One claim as the queue shows it.
pub struct QueueItem {
    pub row: QueueRow,
    pub href: String,
    pub category_label: String,
    pub status_label: String,
    pub status_badge: &'static str,
    pub waiting_days: i64,
    /// Whether batch approval may take it: waiting at this level with no flag.
    pub selectable: bool,
}

/// Builds the rows of a queue page.
pub fn queue_items(rows: Vec<QueueRow>, params: &QueueParams, waiting: bool) -> Vec<QueueItem> {
    let today = view::today();
    let query = params.to_query(None);
    rows.into_iter()
        .map(|row| QueueItem {
            href: format!("/reviews/{}?{query}", row.id),
            category_label: format!("{}. {}", row.category_code, row.category_name),
            status_label: view::state_label(row.status, row.level),
            status_badge: view::status_badge(row.status),
            waiting_days: view::days_since(row.submitted_at, today),
            selectable: waiting && row.flag_count == 0,
            row,
        })
        .collect()
}

// TODO: with 15,000 claims waiting at school level this page takes p99 97 ms on SQLite
// (11 ms on PostgreSQL, see BENCHMARKS.md); the tab counts the waiting claims again
// after the list did, and which query dominates is not measured yet.
/// Counts the claims waiting at each of the person's levels, for the tabs.
pub async fn level_tabs(
    conn: &mut Conn,
    user: &CurrentUser,
    active: ReviewLevel,
) -> AppResult<Vec<LevelTab>> {
    let mut tabs = Vec::new();
    for level in scope::levels(user) {
        let Some(level_scope) = scope::queue_scope(user, level) else {
            continue;
        };
        let mut filter = QueueFilter::waiting(level_scope, &user.person_id);
        filter.page_size = 1;
        let waiting = claims::queue(conn, &filter).await?.total;
        let tab_params = QueueParams {
            level: Some(level.as_str().to_owned()),
            ..QueueParams::default()
        };
        tabs.push(LevelTab {
            label: level.label(),
            waiting,
            href: format!("/reviews?{}", tab_params.to_query(None)),
            active: level == active,
        });
    }
    Ok(tabs)
}

#[derive(Template, WebTemplate)]
#[template(path = "review/queue.html")]
pub struct QueuePage {
    page: Page,
    params: QueueParams,
    level: ReviewLevel,
    tabs: Vec<LevelTab>,
    items: Vec<QueueItem>,
    total: i64,
    page_number: i64,
    page_count: i64,
    waiting: bool,
    queue_query: String,
    statuses: Vec<Choice>,
    sorts: Vec<Choice>,
    flags: Vec<Choice>,
    categories: Vec<Choice>,
    terms: Vec<Choice>,
    any_selectable: bool,
}

impl QueuePage {
    fn page_link(&self, page: i64) -> String {
        format!("/reviews?{}", self.params.to_query(Some(page)))
    }

    fn teacher(&self) -> &str {
        blank_to_none(&self.params.teacher).unwrap_or("")
    }

    fn from(&self) -> &str {
        blank_to_none(&self.params.from).unwrap_or("")
    }

    fn to(&self) -> &str {
        blank_to_none(&self.params.to).unwrap_or("")
    }
}

/// Lists the category codes and names of the current term, or the defaults before the
/// first term exists.
async fn category_choices(conn: &mut Conn, current: &str) -> AppResult<Vec<Choice>> {
    let term = terms::current(conn, view::today()).await?;
    let options: Vec<(String, String)> = match term {
        Some(term) => categories::list_for_term(conn, term.code)
            .await?
            .into_iter()
            .map(|c| (c.code.to_string(), format!("{}. {}", c.code, c.name)))
            .collect(),
        None => default_categories()
            .into_iter()
            .map(|c| (c.code.to_string(), format!("{}. {}", c.code, c.name)))
            .collect(),
    };
    let mut all = vec![(String::new(), "全部类别".to_owned())];
    all.extend(options);
    Ok(choices(all, current))
}

pub async fn queue_page(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(params): Query<QueueParams>,
) -> AppResult<QueuePage> {
    let parsed = params.parse(&user, PAGE_SIZE)?;
    let mut conn = state.db.conn().await?;
    let result = claims::queue(&mut conn, &parsed.filter).await?;
    let tabs = level_tabs(&mut conn, &user, parsed.level).await?;
    let categories = category_choices(&mut conn, params.value("category")).await?;
    let mut term_options = vec![(String::new(), "全部学期".to_owned())];
    term_options.extend(
        terms::list(&mut conn)
            .await?
            .into_iter()
            .map(|t| (t.code.to_string(), t.code.label())),
    );

    let mut flag_options = vec![
        (String::new(), "不限".to_owned()),
        ("any".to_owned(), "有任何标记".to_owned()),
    ];
    flag_options.extend(
        view::FLAG_LABELS
            .iter()
            .map(|(code, label)| ((*code).to_owned(), (*label).to_owned())),
    );
    let owned = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(value, label)| ((*value).to_owned(), (*label).to_owned()))
            .collect()
    };
    let status = match params.value("status") {
        "" => "waiting",
        other => other,
    };
    let items = queue_items(result.rows, &params, parsed.waiting);
    Ok(QueuePage {
        page: page.titled("审核队列"),
        level: parsed.level,
        tabs,
        any_selectable: items.iter().any(|item| item.selectable),
        items,
        total: result.total,
        page_number: parsed.filter.page,
        page_count: (result.total + parsed.filter.page_size - 1) / parsed.filter.page_size,
        waiting: parsed.waiting,
        queue_query: params.to_query(None),
        statuses: choices(owned(&STATUS_CHOICES), status),
        sorts: choices(owned(&SORT_CHOICES), params.value("sort")),
        flags: choices(flag_options, params.value("flag")),
        categories,
        terms: choices(term_options, params.value("term")),
        params,
    })
}

/// The outcome of one claim in a batch approval.
pub struct BatchOutcome {
    pub claim_id: String,
    pub topic: String,
    pub teacher: String,
    pub approved: bool,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "review/batch.html")]
pub struct BatchPage {
    page: Page,
    outcomes: Vec<BatchOutcome>,
    approved: usize,
    not_approved: usize,
    back: String,
}

/// Approves each selected claim with its claimed hours, as its own decision. A claim
/// that changed since the queue was shown, or that carries a flag, is reported with the
/// reason and left as it is.
pub async fn batch_approve(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let queue = fields
        .iter()
        .find(|(name, _)| name == "queue")
        .map(|(_, value)| QueueParams::from_query(value))
        .unwrap_or_default();
    let back = format!("/reviews?{}", queue.to_query(None));
    let selected: Vec<&str> = fields
        .iter()
        .filter(|(name, _)| name == "claim")
        .map(|(_, value)| value.as_str())
        .collect();
    if selected.is_empty() {
        return Ok(redirect_with_flash(
            &back,
            FlashKind::Warning,
            "请先勾选要批量通过的申报。",
        ));
    }
    if selected.len() > MAX_BATCH {
        return Err(AppError::invalid(format!(
            "一次最多批量通过 {MAX_BATCH} 条申报，您选择了 {} 条，请分批提交。",
            selected.len()
        )));
    }

    let mut outcomes = Vec::new();
    for value in selected {
        outcomes.push(approve_one(&state, &user, &client.ip, value).await?);
    }
    let approved = outcomes.iter().filter(|outcome| outcome.approved).count();
    let template = BatchPage {
        page: page.titled("批量通过结果"),
        not_approved: outcomes.len() - approved,
        approved,
        outcomes,
        back,
    };
    Ok(template.into_response())
}

/// Approves one claim of a batch, given as `id:version`. Mistakes a reviewer can act
/// on (a stale version, a flag, a cap) become a reported outcome. An internal error
/// stops the batch, and the decisions already committed stay.
async fn approve_one(
    state: &AppState,
    user: &CurrentUser,
    ip: &str,
    value: &str,
) -> AppResult<BatchOutcome> {
    let parsed = value
        .split_once(':')
        .and_then(|(id, version)| Some((id, version.parse::<i64>().ok()?)));
    let Some((claim_id, version)) = parsed else {
        return Ok(BatchOutcome {
            claim_id: String::new(),
            topic: value.to_owned(),
            teacher: String::new(),
            approved: false,
            message: "所选项格式不正确，请刷新审核队列后重新勾选。".to_owned(),
        });
    };
    let proposal = Proposal::Approve {
        hours: None,
        comment: String::new(),
    };
    let options = DecideOptions {
        unflagged_only: true,
    };
    let result = decide::decide(&state.db, user, ip, claim_id, version, proposal, options).await;
    let (topic, teacher) = match claims::get(&mut *state.db.conn().await?, claim_id).await {
        Ok(claim) => (claim.topic, claim.teacher_name),
        Err(_) => (claim_id.to_owned(), String::new()),
    };
    let outcome = |approved: bool, message: String| BatchOutcome {
        claim_id: claim_id.to_owned(),
        topic: topic.clone(),
        teacher: teacher.clone(),
        approved,
        message,
    };
    match result {
        Ok(decided) => Ok(outcome(true, decided.summary())),
        Err(AppError::NotFound) => {
            tracing::info!(claim.id = %claim_id, "batch approval found no such claim");
            Ok(outcome(false, "申报不存在或已被撤回。".to_owned()))
        }
        Err(error) => match error.user_message() {
            Some(message) => {
                tracing::info!(claim.id = %claim_id, error = %error, "batch approval skipped a claim");
                Ok(outcome(false, message))
            }
            None => Err(error),
        },
    }
}
