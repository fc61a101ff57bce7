//! Transcripts (个人培训学时证明): a teacher's credited hours in a term or a school year,
//! issued as a printable page and an .xlsx with a verification code, and the public page
//! where anyone with the code reads the totals, never the claims.
//!
//! Teachers see and issue their own transcripts; center administrators those of anyone.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use xueshi_core::transcript::{Period, code_from_random_bytes, format_code, normalize_code};
use xueshi_core::{Hours, RoleKind, StaffId, TermCode};
use xueshi_sheets::{Value, XlsxWriter};
use xueshi_store::people::{self, Person};
use xueshi_store::transcripts::{
    self, CreditLine, NewTranscript, Transcript, TranscriptTotals, sum_by_source,
};
use xueshi_store::{Conn, StoreError, terms};

use crate::AppState;
use crate::access::{Access, Route};
use crate::auth::{ClientInfo, CurrentUser};
use crate::directory::actor;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Query};
use crate::page::Page;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/transcripts", Access::SignedIn, get(statement_page)),
        Route::post("/transcripts/issue", Access::SignedIn, post(issue)),
        Route::get("/transcripts/{id}", Access::SignedIn, get(show)),
        Route::get(
            "/transcripts/{id}/xlsx",
            Access::SignedIn,
            get(download_xlsx),
        ),
        Route::get("/verify", Access::Public, get(verify_form)),
        Route::get("/verify/{code}", Access::Public, get(verify_code)),
    ]
}

/// Returns whether `user` may see and issue the transcripts of `person_id`: their own,
/// or anyone's for a center administrator.
fn may_view(user: &CurrentUser, person_id: &str) -> bool {
    user.person_id == person_id || user.has(RoleKind::CenterAdmin)
}

/// Finds the person whose transcript is asked for: the user, or the person with
/// `staff_id` when the user may see theirs.
async fn target_person(conn: &mut Conn, user: &CurrentUser, staff_id: &str) -> AppResult<Person> {
    let staff_id = staff_id.trim();
    if staff_id.is_empty() || staff_id == user.staff_id {
        return Ok(people::get(conn, &user.person_id).await?);
    }
    if !user.has(RoleKind::CenterAdmin) {
        return Err(AppError::Forbidden(
            "您只能查看和出具本人的学时证明。".into(),
        ));
    }
    let staff_id = StaffId::parse(staff_id)?;
    people::find_by_staff_id(conn, &staff_id)
        .await?
        .ok_or_else(|| AppError::invalid(format!("找不到工号为 {staff_id} 的人员，请核对工号。")))
}

/// A period offered in the period list.
struct PeriodOption {
    code: String,
    label: String,
}

/// Lists the periods with at least one term, newest first: each school year, then its
/// terms.
fn period_options(term_codes: &[TermCode]) -> Vec<PeriodOption> {
    let mut periods: Vec<Period> = Vec::new();
    for term in term_codes {
        let year = Period::school_year_of(*term);
        if !periods.contains(&year) {
            periods.push(year);
        }
        periods.push(Period::Term(*term));
    }
    periods.sort_by_key(|period| std::cmp::Reverse(period_sort_key(*period)));
    periods
        .into_iter()
        .map(|period| PeriodOption {
            code: period.to_string(),
            label: match period {
                Period::SchoolYear(_) => format!("{}（全年）", period.label()),
                Period::Term(_) => period.label(),
            },
        })
        .collect()
}

/// Orders a school year after its terms, so that a newest-first list shows the year
/// above its terms.
fn period_sort_key(period: Period) -> (i16, u8) {
    match period {
        Period::Term(term) => (term.first_year(), term.number()),
        Period::SchoolYear(first_year) => (first_year, 3),
    }
}

/// A person's credited hours in a period, before any transcript is issued.
struct Statement {
    period: Period,
    lines: Vec<CreditLine>,
    accredited: Hours,
    school_credited: Hours,
    required: Hours,
}

impl Statement {
    fn total(&self) -> Hours {
        self.accredited + self.school_credited
    }

    fn shortfall(&self) -> Hours {
        self.required.saturating_sub(self.total())
    }
}

/// Collects the credited lines of a period and sums the required hours of its terms
/// that exist. A school year requires the sum of its two terms' requirements.
async fn build_statement(conn: &mut Conn, person: &Person, period: Period) -> AppResult<Statement> {
    let mut existing = Vec::new();
    let mut required = Hours::ZERO;
    for code in period.terms() {
        match terms::get(conn, code).await {
            Ok(term) => {
                required = required + term.required_hours;
                existing.push(code);
            }
            Err(StoreError::NotFound) => {}
            Err(error) => return Err(error.into()),
        }
    }
    if existing.is_empty() {
        return Err(AppError::invalid(format!(
            "系统中没有{}的学期，请选择其他期间。",
            period.label()
        )));
    }
    let lines = transcripts::credit_lines(conn, &person.id, &existing).await?;
    let (accredited, school_credited) = sum_by_source(&lines);
    Ok(Statement {
        period,
        lines,
        accredited,
        school_credited,
        required,
    })
}

/// Picks the period a page opens on: the one asked for, else the current term, else the
/// latest term. `None` when no term exists.
async fn chosen_period(
    conn: &mut Conn,
    raw: &str,
    term_codes: &[TermCode],
) -> AppResult<Option<Period>> {
    if !raw.trim().is_empty() {
        return Ok(Some(Period::parse(raw)?));
    }
    let today = xueshi_core::date::school_date(jiff::Timestamp::now());
    if let Some(term) = terms::current(conn, today).await? {
        return Ok(Some(Period::Term(term.code)));
    }
    Ok(term_codes.first().map(|code| Period::Term(*code)))
}

#[derive(serde::Deserialize)]
struct StatementQuery {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    period: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "transcripts/index.html")]
struct StatementPage {
    page: Page,
    person: Person,
    /// Whether the page is the user's own (hides the staff ID search).
    own: bool,
    can_search: bool,
    periods: Vec<PeriodOption>,
    statement: Option<Statement>,
    issued: Vec<TranscriptTotals>,
}

impl StatementPage {
    fn selected(&self, code: &str) -> bool {
        self.statement
            .as_ref()
            .is_some_and(|statement| statement.period.to_string() == code)
    }

    fn staff_param(&self) -> &str {
        if self.own { "" } else { &self.person.staff_id }
    }

    fn formatted(&self, code: &str) -> String {
        format_code(code)
    }
}

async fn statement_page(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<StatementQuery>,
) -> AppResult<StatementPage> {
    let mut conn = state.db.conn().await?;
    let person = target_person(&mut conn, &user, &query.staff_id).await?;
    let term_codes: Vec<TermCode> = terms::list(&mut conn)
        .await?
        .into_iter()
        .map(|term| term.code)
        .collect();
    let statement = match chosen_period(&mut conn, &query.period, &term_codes).await? {
        Some(period) => Some(build_statement(&mut conn, &person, period).await?),
        None => None,
    };
    let issued = transcripts::list_for_person(&mut conn, &person.id).await?;
    Ok(StatementPage {
        page: page.titled("学时证明"),
        own: person.id == user.person_id,
        can_search: user.has(RoleKind::CenterAdmin),
        person,
        periods: period_options(&term_codes),
        statement,
        issued,
    })
}

#[derive(serde::Deserialize)]
struct IssueForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    period: String,
}

/// Draws a verification code from the operating system's random source.
fn draw_code() -> AppResult<String> {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|error| {
            AppError::Internal(anyhow::anyhow!("random source failed: {error}"))
        })?;
        if let Some(code) = code_from_random_bytes(&bytes) {
            return Ok(code);
        }
    }
}

/// Codes drawn at most when the ones before are taken. With 2^59 possible codes a
/// single collision is already improbable.
const CODE_ATTEMPTS: usize = 3;

async fn issue(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    Form(form): Form<IssueForm>,
) -> AppResult<Redirect> {
    if form.period.trim().is_empty() {
        return Err(AppError::invalid("请选择要出具证明的学期或学年。"));
    }
    let period = Period::parse(&form.period)?;
    let mut conn = state.db.conn().await?;
    let person = target_person(&mut conn, &user, &form.staff_id).await?;
    let statement = build_statement(&mut conn, &person, period).await?;
    let mut transcript = NewTranscript {
        code: String::new(),
        person_id: person.id.clone(),
        staff_id: person.staff_id.clone(),
        person_name: person.name.clone(),
        unit_name: person.unit_name.clone().unwrap_or_default(),
        period,
        required_hours: statement.required,
        lines: statement.lines,
    };
    let actor = actor(&user, &client.ip);
    for _ in 0..CODE_ATTEMPTS {
        transcript.code = draw_code()?;
        match transcripts::issue(&mut conn, &transcript, &actor).await {
            Ok(id) => {
                tracing::info!(transcript.id = %id, person.id = %person.id, "transcript issued");
                return Ok(Redirect::to(&format!("/transcripts/{id}")));
            }
            Err(StoreError::Unique(_)) => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "{CODE_ATTEMPTS} verification codes in a row were taken"
    )))
}

/// Loads an issued transcript that the user may see.
async fn load_visible(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<Transcript> {
    let mut conn = state.db.conn().await?;
    let transcript = transcripts::get(&mut conn, id).await?;
    if !may_view(user, &transcript.totals.person_id) {
        return Err(AppError::Forbidden("您只能查看本人的学时证明。".into()));
    }
    Ok(transcript)
}

/// Returns the issue date in Asia/Shanghai.
fn issue_date(issued_at_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(issued_at_ms)
        .map(|at| xueshi_core::date::school_date(at).to_string())
        .unwrap_or_default()
}

/// Formats a date as 2023年3月15日 for the printed documents.
fn chinese_date(date: jiff::civil::Date) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// Returns the address of the public verification page as the browser reached this
/// server, or the bare path when the request named no host.
fn verify_url(headers: &HeaderMap, client: &ClientInfo, code: &str) -> String {
    let path = format!("/verify/{}", format_code(code));
    let host = headers
        .get(HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        });
    match host {
        Some(host) => {
            let scheme = if client.https { "https" } else { "http" };
            format!("{scheme}://{host}{path}")
        }
        None => path,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "transcripts/show.html")]
struct TranscriptPage {
    page: Page,
    transcript: Transcript,
    code: String,
    verify_url: String,
    issued_on: String,
    /// Whether lines come from more than one term, so each shows its term.
    several_terms: bool,
}

impl TranscriptPage {
    fn line_dates(&self, line: &CreditLine) -> String {
        if line.start_date == line.end_date {
            line.start_date.to_string()
        } else {
            format!("{} 至 {}", line.start_date, line.end_date)
        }
    }
}

async fn show(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<TranscriptPage> {
    let transcript = load_visible(&state, &user, &id).await?;
    let code = format_code(&transcript.totals.code);
    let several_terms = transcript.totals.period.terms().len() > 1;
    Ok(TranscriptPage {
        page: page.titled("个人培训学时证明"),
        verify_url: verify_url(&headers, &client, &transcript.totals.code),
        issued_on: issue_date(transcript.totals.issued_at),
        code,
        several_terms,
        transcript,
    })
}

/// Builds the .xlsx of an issued transcript: the certified lines with their total, and
/// a second sheet with the person, the period and the verification code.
fn transcript_xlsx(
    transcript: &Transcript,
    verify_url: &str,
) -> Result<Vec<u8>, xueshi_sheets::SheetError> {
    let totals = &transcript.totals;
    let mut rows: Vec<Vec<Value>> = transcript
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            vec![
                Value::Integer(index as i64 + 1),
                Value::Text(line.term_code.label()),
                Value::Text(line.source.label().to_owned()),
                Value::Text(line.category_name.clone()),
                Value::Text(line.topic.clone()),
                Value::Date(line.start_date),
                Value::Date(line.end_date),
                Value::tenths(line.hours.tenths()),
            ]
        })
        .collect();
    rows.push(vec![
        Value::Empty,
        Value::Empty,
        Value::Empty,
        Value::Empty,
        Value::Text("合计".to_owned()),
        Value::Empty,
        Value::Empty,
        Value::tenths(totals.total_hours.tenths()),
    ]);
    let mut writer = XlsxWriter::new();
    writer.add_sheet(
        "学时明细",
        &[
            "序号",
            "学期",
            "来源",
            "培训类别",
            "培训主题或活动",
            "开始日期",
            "结束日期",
            "认定学时",
        ],
        rows,
    )?;

    let required = if transcript.required_hours.is_zero() {
        Value::Text("未设定".to_owned())
    } else {
        Value::tenths(transcript.required_hours.tenths())
    };
    let facts: Vec<Vec<Value>> = vec![
        vec!["姓名".into(), Value::Text(totals.person_name.clone())],
        vec!["工号".into(), Value::Text(transcript.staff_id.clone())],
        vec!["单位".into(), Value::Text(totals.unit_name.clone())],
        vec!["证明期间".into(), Value::Text(totals.period.label())],
        vec![
            "认定项目学时".into(),
            Value::tenths(transcript.accredited_hours.tenths()),
        ],
        vec![
            "学校认定学时".into(),
            Value::tenths(transcript.school_credited_hours.tenths()),
        ],
        vec!["总学时".into(), Value::tenths(totals.total_hours.tenths())],
        vec!["要求学时".into(), required],
        vec![
            "尚差学时".into(),
            Value::tenths(transcript.shortfall().tenths()),
        ],
        vec!["出具日期".into(), Value::Text(issue_date(totals.issued_at))],
        vec!["验证码".into(), Value::Text(format_code(&totals.code))],
        vec!["验证网址".into(), Value::Text(verify_url.to_owned())],
    ];
    writer.add_sheet("证明信息", &["项目", "内容"], facts)?;
    writer.finish()
}

async fn download_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    client: ClientInfo,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let transcript = load_visible(&state, &user, &id).await?;
    let url = verify_url(&headers, &client, &transcript.totals.code);
    let file_name = format!(
        "学时证明-{}-{}.xlsx",
        transcript.totals.person_name,
        transcript.totals.period.label()
    );
    let bytes = tokio::task::spawn_blocking(move || transcript_xlsx(&transcript, &url))
        .await
        .map_err(|error| AppError::Internal(error.into()))?
        .map_err(|error| AppError::Internal(anyhow::anyhow!("transcript xlsx: {error}")))?;
    let mut response = bytes.into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    response.headers_mut().insert(
        CONTENT_DISPOSITION,
        crate::files::content_disposition("attachment", &file_name),
    );
    Ok(response)
}

#[derive(Template, WebTemplate)]
#[template(path = "transcripts/verify.html")]
struct VerifyPage {
    page: Page,
    /// The code as typed, for the form.
    typed: String,
    /// The transcript found, with its issue date.
    found: Option<(TranscriptTotals, String)>,
    /// The reason nothing is shown, in Chinese.
    problem: Option<String>,
}

impl VerifyPage {
    fn formatted(&self, code: &str) -> String {
        format_code(code)
    }
}

#[derive(serde::Deserialize)]
struct VerifyQuery {
    #[serde(default)]
    code: String,
}

async fn verify_form(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<VerifyQuery>,
) -> AppResult<Response> {
    if query.code.trim().is_empty() {
        let template = VerifyPage {
            page: page.titled("学时证明验证"),
            typed: String::new(),
            found: None,
            problem: None,
        };
        return Ok(template.into_response());
    }
    verify(&state, page, &query.code).await
}

async fn verify_code(
    State(state): State<AppState>,
    page: Page,
    Path(code): Path<String>,
) -> AppResult<Response> {
    verify(&state, page, &code).await
}

/// Shows the totals of the transcript with a code, or explains why there is none.
async fn verify(state: &AppState, page: Page, typed: &str) -> AppResult<Response> {
    let mut template = VerifyPage {
        page: page.titled("学时证明验证"),
        typed: typed.trim().to_owned(),
        found: None,
        problem: None,
    };
    let Some(code) = normalize_code(typed) else {
        template.problem = Some(format!(
            "验证码“{}”格式不正确。验证码由 12 位数字和大写字母组成（不含 0、1、I、L、O），如 ABCD-EFGH-JKMN，请核对证明上的验证码后重新输入。",
            template.typed
        ));
        return Ok((StatusCode::NOT_FOUND, template).into_response());
    };
    let mut conn = state.db.conn().await?;
    match transcripts::find_by_code(&mut conn, &code).await? {
        Some(totals) => {
            let issued_on = chinese_date_of(totals.issued_at);
            template.found = Some((totals, issued_on));
            Ok(template.into_response())
        }
        None => {
            template.problem = Some(format!(
                "没有找到验证码为 {} 的学时证明。请核对证明上的验证码；如仍无法验证，请联系教师发展中心。",
                format_code(&code)
            ));
            Ok((StatusCode::NOT_FOUND, template).into_response())
        }
    }
}

fn chinese_date_of(issued_at_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(issued_at_ms)
        .map(|at| chinese_date(xueshi_core::date::school_date(at)))
        .unwrap_or_default()
}
