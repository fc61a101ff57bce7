//! The claim form: a new claim or an edit of a draft or returned claim.
//!
//! Choosing a ledger activity fills the topic, organizer, dates, mode and hours: app.js
//! does it in the browser, and without JavaScript the "按所选活动填写" button sends the
//! form back to be filled by the server. Blank fields are also filled from the activity
//! when the claim is saved.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xueshi_core::Hours;
use xueshi_store::activities::{self, Activity, ActivityFilter};
use xueshi_store::categories::{self, Category};
use xueshi_store::claims::ClaimDetail;
use xueshi_store::terms::Term;
use xueshi_store::{Conn, StoreError};

use super::input::{CENTER_ORGANIZER, ClaimInput};
use super::service::{create_claim, load_own, update_claim};
use super::view::{WindowView, dates_text, resolve_term, rules_text, today};
use super::{messages, status_text};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::token::random_token;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{Form, Query};
use crate::page::{FlashKind, Page, redirect_with_flash};

/// A category in the select, with its rules in words.
pub struct CategoryOption {
    pub code: u8,
    pub name: String,
    pub scope: String,
    pub rules: Vec<String>,
    pub requires_activity: bool,
}

impl CategoryOption {
    fn of(category: &Category) -> Self {
        Self {
            code: category.code,
            name: category.name.clone(),
            scope: category.scope.clone(),
            rules: rules_text(category),
            requires_activity: category.rules.requires_activity,
        }
    }
}

/// A ledger activity in the select, with the values it fills in.
pub struct ActivityOption {
    pub id: String,
    pub category_code: u8,
    pub label: String,
    pub title: String,
    pub organizer: String,
    pub start_date: String,
    pub end_date: String,
    pub mode: &'static str,
    pub hours: Hours,
}

impl ActivityOption {
    fn of(activity: &Activity) -> Self {
        Self {
            id: activity.id.clone(),
            category_code: activity.category_code,
            label: format!(
                "{}（{}，{} 学时）",
                activity.title,
                dates_text(activity.start_date, activity.end_date),
                activity.hours
            ),
            title: activity.title.clone(),
            organizer: activity
                .unit_name
                .clone()
                .unwrap_or_else(|| CENTER_ORGANIZER.to_owned()),
            start_date: activity.start_date.to_string(),
            end_date: activity.end_date.to_string(),
            mode: activity.mode.as_str(),
            hours: activity.hours,
        }
    }
}

/// The claim being edited.
pub struct Editing {
    pub id: String,
    pub version: i64,
    pub status: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "claims/form.html")]
pub struct FormPage {
    page: Page,
    editing: Option<Editing>,
    term: Term,
    terms: Vec<Term>,
    window: WindowView,
    categories: Vec<CategoryOption>,
    activities: Vec<ActivityOption>,
    values: ClaimInput,
    form_token: String,
    errors: Vec<FieldError>,
    error: Option<String>,
}

impl FormPage {
    /// Returns the message of a field, for showing beside it.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|error| error.field == field)
            .map(|error| error.message.as_str())
    }

    pub fn is_category(&self, code: &u8) -> bool {
        self.values.category.trim() == code.to_string()
    }

    pub fn is_activity(&self, id: &str) -> bool {
        self.values.activity_id.trim() == id
    }

    /// Returns the hours of the chosen activity, the cap of the claim's hours.
    pub fn activity_hours(&self) -> Option<Hours> {
        self.activities
            .iter()
            .find(|activity| self.is_activity(&activity.id))
            .map(|activity| activity.hours)
    }
}

/// Loads what the form offers for a term: its categories and the ledger activities a
/// claim may point at (the center's and those of the teacher's unit, in categories that
/// require one).
async fn form_page(
    conn: &mut Conn,
    page: Page,
    user: &CurrentUser,
    term: Term,
    terms: Vec<Term>,
    values: ClaimInput,
) -> AppResult<FormPage> {
    let categories = categories::list_for_term(conn, term.code).await?;
    let with_activity: Vec<&str> = categories
        .iter()
        .filter(|category| category.rules.requires_activity)
        .map(|category| category.id.as_str())
        .collect();
    let filter = ActivityFilter {
        term: term.code,
        organizer: None,
        category_id: None,
    };
    let activities = activities::list(conn, &filter)
        .await?
        .iter()
        .filter(|activity| with_activity.contains(&activity.category_id.as_str()))
        .filter(|activity| {
            activity.unit_id.is_none() || activity.unit_id.as_deref() == user.unit_id.as_deref()
        })
        .map(ActivityOption::of)
        .collect();
    Ok(FormPage {
        page: page.titled("新建申报"),
        editing: None,
        window: WindowView::of(&term, today()),
        term,
        terms,
        categories: categories.iter().map(CategoryOption::of).collect(),
        activities,
        values,
        form_token: random_token(),
        errors: Vec::new(),
        error: None,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NewQuery {
    term: Option<String>,
    category: Option<String>,
    activity: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let (term, terms) = resolve_term(&mut conn, query.term.as_deref()).await?;
    let Some(term) = term else {
        return Ok(redirect_with_flash(
            "/claims",
            FlashKind::Warning,
            messages::NO_TERM,
        ));
    };
    let mut values = ClaimInput {
        term: term.code.to_string(),
        category: query.category.unwrap_or_default(),
        mode: "offline".to_owned(),
        ..ClaimInput::default()
    };
    if let Some(activity) = find_activity(&mut conn, query.activity.as_deref()).await? {
        values.activity_id = activity.id.clone();
        values.category = activity.category_code.to_string();
        values.fill_from_activity(&activity, true);
    }
    let form = form_page(&mut conn, page, &user, term, terms, values).await?;
    Ok(form.into_response())
}

async fn find_activity(conn: &mut Conn, id: Option<&str>) -> AppResult<Option<Activity>> {
    let Some(id) = id.map(str::trim).filter(|id| !id.is_empty()) else {
        return Ok(None);
    };
    match activities::get(conn, id).await {
        Ok(activity) => Ok(Some(activity)),
        Err(StoreError::NotFound) => Ok(None),
        Err(error) => Err(error.into()),
    }
}

/// The form as posted: the claim's fields and the form's own fields.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ClaimForm {
    #[serde(flatten)]
    input: ClaimInput,
    #[serde(default)]
    form_token: String,
    /// Set by the version of the claim being edited.
    #[serde(default)]
    version: String,
    /// Present when the "按所选活动填写" button sent the form.
    #[serde(default)]
    fill: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Form(form): Form<ClaimForm>,
) -> AppResult<Response> {
    if form.fill.is_some() {
        return refill(&state, page, &user, None, form).await;
    }
    let token = Some(form.form_token.trim()).filter(|token| !token.is_empty());
    match create_claim(&state, &user, &form.input, token).await {
        Ok((id, created)) => {
            let (kind, text) = if created {
                (
                    FlashKind::Success,
                    "草稿已保存。下一步：上传佐证材料，然后提交。",
                )
            } else {
                (FlashKind::Warning, "这份申报已经保存过，没有重复创建。")
            };
            Ok(redirect_with_flash(&format!("/claims/{id}"), kind, text))
        }
        Err(error) => form_error(&state, page, &user, None, form, error).await,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let claim = load_own(&mut conn, &user, &id).await?;
    if !claim.status.is_editable() {
        return Ok(redirect_with_flash(
            &format!("/claims/{id}"),
            FlashKind::Warning,
            messages::NOT_EDITABLE,
        ));
    }
    let (term, terms) = resolve_term(&mut conn, Some(&claim.term_code.to_string())).await?;
    let term = term.ok_or(AppError::NotFound)?;
    let mut form = form_page(&mut conn, page, &user, term, terms, input_of(&claim)).await?;
    form.editing = Some(editing_of(&claim));
    form.page = form.page.titled("修改申报");
    Ok(form.into_response())
}

fn input_of(claim: &ClaimDetail) -> ClaimInput {
    ClaimInput {
        term: claim.term_code.to_string(),
        category: claim.category_code.to_string(),
        activity_id: claim.activity_id.clone().unwrap_or_default(),
        topic: claim.topic.clone(),
        organizer: claim.organizer.clone(),
        start_date: claim.start_date.to_string(),
        end_date: claim.end_date.to_string(),
        mode: claim.mode.as_str().to_owned(),
        claimed_hours: claim.claimed_hours.to_string(),
        notes: claim.notes.clone(),
        certificate_date: claim
            .certificate_date
            .map(|date| date.to_string())
            .unwrap_or_default(),
    }
}

fn editing_of(claim: &ClaimDetail) -> Editing {
    Editing {
        id: claim.id.clone(),
        version: claim.version,
        status: status_text(claim.status, claim.level),
    }
}

pub async fn update(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ClaimForm>,
) -> AppResult<Response> {
    if form.fill.is_some() {
        return refill(&state, page, &user, Some(&id), form).await;
    }
    let version = form.version.trim().parse::<i64>().ok();
    match update_claim(&state, &user, &id, version, &form.input).await {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/claims/{id}"),
            FlashKind::Success,
            "修改已保存。",
        )),
        Err(error) => form_error(&state, page, &user, Some(&id), form, error).await,
    }
}

/// Shows the form again with the chosen activity's values filled in, saving nothing.
async fn refill(
    state: &AppState,
    page: Page,
    user: &CurrentUser,
    claim_id: Option<&str>,
    mut form: ClaimForm,
) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let mut error = None;
    match find_activity(&mut conn, Some(&form.input.activity_id)).await? {
        Some(activity) => form.input.fill_from_activity(&activity, true),
        None => error = Some("请先在“台账活动”中选择一项活动，再按所选活动填写。".to_owned()),
    }
    let mut shown = rebuild(state, page, user, claim_id, form).await?;
    shown.error = error;
    Ok(shown.into_response())
}

/// Shows the form again with what was typed and the error beside its field, or returns
/// the error when it is not one the person can fix in the form.
async fn form_error(
    state: &AppState,
    page: Page,
    user: &CurrentUser,
    claim_id: Option<&str>,
    form: ClaimForm,
    error: AppError,
) -> AppResult<Response> {
    let status = match &error {
        AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => return Err(error),
    };
    let mut shown = rebuild(state, page, user, claim_id, form).await?;
    if let AppError::Invalid { fields, .. } = &error {
        shown.errors = fields.clone();
    }
    shown.error = error.user_message();
    Ok((status, shown).into_response())
}

/// Rebuilds the form page around posted values, keeping the form token so that a
/// corrected form still creates one claim.
async fn rebuild(
    state: &AppState,
    page: Page,
    user: &CurrentUser,
    claim_id: Option<&str>,
    form: ClaimForm,
) -> AppResult<FormPage> {
    let mut conn = state.db.conn().await?;
    let editing = match claim_id {
        Some(id) => Some(editing_of(&load_own(&mut conn, user, id).await?)),
        None => None,
    };
    // The posted term may be invalid; the form then shows the current term.
    let (term, terms) = match resolve_term(&mut conn, Some(&form.input.term)).await {
        Ok(found) => found,
        Err(_) => resolve_term(&mut conn, None).await?,
    };
    let term = term.ok_or_else(|| AppError::Conflict(messages::NO_TERM.into()))?;
    let mut shown = form_page(&mut conn, page, user, term, terms, form.input).await?;
    if !form.form_token.trim().is_empty() {
        shown.form_token = form.form_token;
    }
    if let Some(mut editing) = editing {
        if let Ok(version) = form.version.trim().parse() {
            editing.version = version;
        }
        shown.editing = Some(editing);
        shown.page = shown.page.titled("修改申报");
    }
    Ok(shown)
}
