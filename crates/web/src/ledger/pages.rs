//! The ledger pages: the list with filters, the filing form, and an activity's page with
//! its edit form and attendance.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use xueshi_core::TermCode;
use xueshi_store::activities::{self, Activity, Attendee, OrganizerFilter};
use xueshi_store::categories;
use xueshi_store::terms::{self, Term};
use xueshi_store::{Conn, units};

use super::{
    ActivityInput, CENTER_NAME, LEDGER, ListRequest, Organizers, filing_delay_text,
    list_activities, organizer_name, visible_activity,
};
use crate::AppState;
use crate::access::Route;
use crate::auth::{ClientInfo, CurrentUser};
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Query};
use crate::import::MAX_IMPORT_BYTES;
use crate::page::{FlashKind, Page, redirect_with_flash};
use crate::terms::default_term;

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/ledger", LEDGER, get(list)),
        Route::post("/ledger", LEDGER, post(file)),
        Route::get("/ledger/new", LEDGER, get(new_form)),
        Route::get("/ledger/{id}", LEDGER, get(detail)),
        Route::post("/ledger/{id}", LEDGER, post(update)),
    ]
}

/// A choice in a select box.
pub(super) struct SelectOption {
    pub value: String,
    pub label: String,
}

/// Lists the organizers a person may choose: the center and every unit for center
/// administrators, their own units for unit reviewers.
async fn organizer_options(conn: &mut Conn, user: &CurrentUser) -> AppResult<Vec<SelectOption>> {
    let organizers = Organizers::of(user);
    let mut options = Vec::new();
    if organizers.includes(None) {
        options.push(SelectOption {
            value: String::new(),
            label: CENTER_NAME.to_owned(),
        });
    }
    for unit in units::list(conn).await? {
        if organizers.includes(Some(&unit.id)) {
            options.push(SelectOption {
                value: unit.id,
                label: unit.name,
            });
        }
    }
    Ok(options)
}

/// Lists the categories of a term a person may file in, valued by their number.
async fn category_options(
    conn: &mut Conn,
    user: &CurrentUser,
    term: TermCode,
) -> AppResult<Vec<SelectOption>> {
    let organizers = Organizers::of(user);
    Ok(categories::list_for_term(conn, term)
        .await?
        .into_iter()
        .filter(|category| organizers.may_use_category(category.rules.school_accredited))
        .map(|category| SelectOption {
            value: category.code.to_string(),
            label: format!("{}. {}", category.code, category.name),
        })
        .collect())
}

fn term_options(terms: &[Term]) -> Vec<SelectOption> {
    terms
        .iter()
        .map(|term| SelectOption {
            value: term.code.to_string(),
            label: term.code.label(),
        })
        .collect()
}

/// Finds the term a query names, or the default term when it names none.
async fn chosen_term(conn: &mut Conn, raw: &str) -> AppResult<Option<Term>> {
    if raw.trim().is_empty() {
        return default_term(conn).await;
    }
    let code = TermCode::parse(raw)?;
    Ok(Some(terms::get(conn, code).await?))
}

/// One row of the ledger list.
struct ActivityRow {
    activity: Activity,
    organizer: String,
    delay: String,
}

impl From<Activity> for ActivityRow {
    fn from(activity: Activity) -> Self {
        Self {
            organizer: organizer_name(&activity).to_owned(),
            delay: filing_delay_text(&activity),
            activity,
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    term: String,
    /// `center`, a unit id, or blank for every organizer.
    #[serde(default)]
    organizer: String,
    /// Category number, or blank.
    #[serde(default)]
    category: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/list.html")]
struct ListPage {
    page: Page,
    term: Option<Term>,
    terms: Vec<SelectOption>,
    organizers: Vec<SelectOption>,
    categories: Vec<SelectOption>,
    query: ListQuery,
    rows: Vec<ActivityRow>,
    late_days: i64,
    is_center: bool,
}

async fn list(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(mut query): Query<ListQuery>,
) -> AppResult<ListPage> {
    let mut conn = state.db.conn().await?;
    let all_terms = terms::list(&mut conn).await?;
    let term = chosen_term(&mut conn, &query.term).await?;
    let organizers = Organizers::of(&user);

    let mut template = ListPage {
        page: page.titled("培训台账"),
        term: None,
        terms: term_options(&all_terms),
        organizers: organizer_options(&mut conn, &user).await?,
        categories: Vec::new(),
        rows: Vec::new(),
        late_days: state.config.ledger_late_days,
        is_center: organizers == Organizers::All,
        query: ListQuery::default(),
    };
    let Some(term) = term else {
        return Ok(template);
    };
    query.term = term.code.to_string();

    let request = ListRequest {
        organizer: match query.organizer.trim() {
            "" => None,
            "center" => Some(OrganizerFilter::Center),
            unit_id => Some(OrganizerFilter::Unit(unit_id.to_owned())),
        },
        category: query.category.trim().parse().ok(),
    };
    template.rows = list_activities(&mut conn, &user, term.code, &request)
        .await?
        .into_iter()
        .map(ActivityRow::from)
        .collect();
    template.categories = categories::list_for_term(&mut conn, term.code)
        .await?
        .into_iter()
        .map(|category| SelectOption {
            value: category.code.to_string(),
            label: format!("{}. {}", category.code, category.name),
        })
        .collect();
    template.term = Some(term);
    template.query = query;
    Ok(template)
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger/new.html")]
struct NewPage {
    page: Page,
    term: Option<Term>,
    terms: Vec<SelectOption>,
    organizers: Vec<SelectOption>,
    categories: Vec<SelectOption>,
    form: ActivityInput,
    errors: Vec<String>,
    late_days: i64,
}

impl NewPage {
    async fn load(
        state: &AppState,
        page: Page,
        user: &CurrentUser,
        term_text: &str,
    ) -> AppResult<Self> {
        let mut conn = state.db.conn().await?;
        let all_terms = terms::list(&mut conn).await?;
        let term = chosen_term(&mut conn, term_text).await?;
        let categories = match &term {
            Some(term) => category_options(&mut conn, user, term.code).await?,
            None => Vec::new(),
        };
        let organizers = organizer_options(&mut conn, user).await?;
        let mut form = ActivityInput {
            mode: "offline".to_owned(),
            ..ActivityInput::default()
        };
        if let Some(term) = &term {
            form.term = term.code.to_string();
        }
        // Unit reviewers have no center option, so their first unit is preselected.
        if let Some(first) = organizers.first() {
            form.unit_id = first.value.clone();
        }
        Ok(Self {
            page: page.titled("活动备案"),
            terms: term_options(&all_terms),
            term,
            organizers,
            categories,
            form,
            errors: Vec::new(),
            late_days: state.config.ledger_late_days,
        })
    }
}

#[derive(serde::Deserialize)]
struct NewQuery {
    #[serde(default)]
    term: String,
}

async fn new_form(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<NewQuery>,
) -> AppResult<NewPage> {
    NewPage::load(&state, page, &user, &query.term).await
}

/// The fields of the filing and edit forms.
#[derive(serde::Deserialize)]
struct ActivityForm {
    #[serde(default)]
    term: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    speaker: String,
    #[serde(default)]
    description: String,
}

impl From<ActivityForm> for ActivityInput {
    fn from(form: ActivityForm) -> Self {
        ActivityInput {
            term: form.term,
            category: form.category,
            title: form.title,
            unit_id: form.unit_id,
            start_date: form.start_date,
            end_date: form.end_date,
            place: form.place,
            mode: form.mode,
            hours: form.hours,
            speaker: form.speaker,
            description: form.description,
        }
    }
}

/// Splits an error into messages for the form, or passes on an error for the error page.
/// A refusal (403) keeps its status, so that nobody mistakes it for a typing mistake.
fn form_errors(error: AppError) -> AppResult<(StatusCode, Vec<String>)> {
    match &error {
        AppError::Invalid { fields, .. } if !fields.is_empty() => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            fields.iter().map(|field| field.message.clone()).collect(),
        )),
        AppError::Forbidden(message) => Ok((StatusCode::FORBIDDEN, vec![message.clone()])),
        _ => match error.user_message() {
            Some(message) => Ok((StatusCode::UNPROCESSABLE_ENTITY, vec![message])),
            None => Err(error),
        },
    }
}

async fn file(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Form(form): Form<ActivityForm>,
) -> AppResult<Response> {
    let input = ActivityInput::from(form);
    let late_days = state.config.ledger_late_days;
    match super::file_activity(&state.db, &user, &client.ip, &input, late_days).await {
        Ok(id) => {
            let activity = activities::get(&mut *state.db.conn().await?, &id).await?;
            let (kind, text) = if activity.late {
                (
                    FlashKind::Warning,
                    format!(
                        "已备案“{}”。活动{}，超过 {late_days} 天，已标记为逾期备案。请今后在活动结束后及时备案。",
                        activity.title,
                        filing_delay_text(&activity)
                    ),
                )
            } else {
                (
                    FlashKind::Success,
                    format!("已备案“{}”。可在下方导入签到表。", activity.title),
                )
            };
            Ok(redirect_with_flash(&format!("/ledger/{id}"), kind, text))
        }
        Err(error) => {
            let (status, errors) = form_errors(error)?;
            let mut template = match NewPage::load(&state, page.clone(), &user, &input.term).await {
                Ok(template) => template,
                // A term that is malformed or missing gets the form of the default term.
                Err(AppError::NotFound | AppError::Invalid { .. }) => {
                    NewPage::load(&state, page, &user, "").await?
                }
                Err(other) => return Err(other),
            };
            template.form = input;
            template.errors = errors;
            Ok((status, template).into_response())
        }
    }
}

async fn detail(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<ActivityPage> {
    ActivityPage::load(&state, page, &user, &id, None, Vec::new()).await
}

/// An activity's page: its facts, edit form, attendance and import form.
#[derive(Template, WebTemplate)]
#[template(path = "ledger/activity.html")]
pub(super) struct ActivityPage {
    page: Page,
    activity: Activity,
    organizer: String,
    delay: String,
    late_days: i64,
    /// Whether the person may edit the activity and import its attendance.
    can_manage: bool,
    organizers: Vec<SelectOption>,
    categories: Vec<SelectOption>,
    form: ActivityInput,
    errors: Vec<String>,
    attendance: Vec<Attendee>,
    max_mb: usize,
}

impl ActivityPage {
    pub(super) async fn load(
        state: &AppState,
        page: Page,
        user: &CurrentUser,
        id: &str,
        form: Option<ActivityInput>,
        errors: Vec<String>,
    ) -> AppResult<Self> {
        let mut conn = state.db.conn().await?;
        let activity = visible_activity(&mut conn, user, id).await?;
        let organizers = Organizers::of(user);
        let can_manage =
            organizers.may_manage(activity.unit_id.as_deref(), activity.school_accredited);
        let attendance = activities::attendance(&mut conn, &activity.id).await?;
        Ok(Self {
            page: page.titled(activity.title.clone()),
            organizer: organizer_name(&activity).to_owned(),
            delay: filing_delay_text(&activity),
            late_days: state.config.ledger_late_days,
            can_manage,
            organizers: organizer_options(&mut conn, user).await?,
            categories: category_options(&mut conn, user, activity.term_code).await?,
            form: form.unwrap_or_else(|| ActivityInput::from_activity(&activity)),
            errors,
            attendance,
            max_mb: MAX_IMPORT_BYTES / 1024 / 1024,
            activity,
        })
    }
}

async fn update(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Form(form): Form<ActivityForm>,
) -> AppResult<Response> {
    let input = ActivityInput::from(form);
    let late_days = state.config.ledger_late_days;
    match super::update_activity(&state.db, &user, &client.ip, &id, &input, late_days).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/ledger/{id}"),
            FlashKind::Success,
            "活动信息已保存。",
        )),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(error) => {
            let (status, errors) = form_errors(error)?;
            let template =
                ActivityPage::load(&state, page, &user, &id, Some(input), errors).await?;
            Ok((status, template).into_response())
        }
    }
}
