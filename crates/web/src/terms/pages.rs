//! The center's pages for terms and their categories.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use xueshi_core::{EvidenceKind, TermCode};
use xueshi_store::categories::{self, Category};
use xueshi_store::terms::Term;

use super::categories::{CategoryInput, MAX_GROUPS, RuleLine, find_category, rules_in_words};
use super::{TermInput, TermListing, find_term, list_terms, today};
use crate::AppState;
use crate::access::{CENTER, Route};
use crate::auth::{ClientInfo, CurrentUser};
use crate::directory::actor;
use crate::error::{AppError, AppResult};
use crate::extract::Form;
use crate::page::{FlashKind, Page, redirect_with_flash};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/admin/terms", CENTER, get(list)),
        Route::post("/admin/terms", CENTER, post(create)),
        Route::get("/admin/terms/{code}", CENTER, get(detail)),
        Route::post("/admin/terms/{code}", CENTER, post(update)),
        Route::get(
            "/admin/terms/{code}/categories/{number}",
            CENTER,
            get(category_form),
        ),
        Route::post(
            "/admin/terms/{code}/categories/{number}",
            CENTER,
            post(category_save),
        ),
    ]
}

/// Splits an error into the messages a form shows beside its fields, or passes on an
/// error that needs the error page.
fn form_errors(error: AppError) -> AppResult<Vec<String>> {
    let fields = match &error {
        AppError::Invalid { fields, .. } if !fields.is_empty() => {
            fields.iter().map(|field| field.message.clone()).collect()
        }
        _ => match error.user_message() {
            Some(message) => vec![message],
            None => return Err(error),
        },
    };
    Ok(fields)
}

#[derive(Template, WebTemplate)]
#[template(path = "terms/list.html")]
struct TermsPage {
    page: Page,
    terms: Vec<TermListing>,
    form: TermInput,
    errors: Vec<String>,
}

async fn render_list(
    state: &AppState,
    page: Page,
    form: TermInput,
    errors: Vec<String>,
) -> AppResult<TermsPage> {
    let terms = list_terms(&mut *state.db.conn().await?, today()).await?;
    Ok(TermsPage {
        page: page.titled("学期与类别"),
        terms,
        form,
        errors,
    })
}

/// Suggests the code of the term after the newest one, or of the term of today.
fn suggested_code(terms: &[TermListing]) -> String {
    if let Some(newest) = terms.first() {
        return newest.term.code.next().to_string();
    }
    let today = today();
    // A school year starts in autumn, so August to January belong to its first term.
    let (first_year, number) = match today.month() {
        8..=12 => (today.year(), 1),
        1 => (today.year() - 1, 1),
        _ => (today.year() - 1, 2),
    };
    TermCode::new(first_year, number)
        .map(|code| code.to_string())
        .unwrap_or_default()
}

async fn list(State(state): State<AppState>, page: Page) -> AppResult<TermsPage> {
    let mut template = render_list(&state, page, TermInput::default(), Vec::new()).await?;
    template.form.code = suggested_code(&template.terms);
    Ok(template)
}

#[derive(serde::Deserialize)]
struct TermForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    window_start: String,
    #[serde(default)]
    window_end: String,
    #[serde(default)]
    review_deadline: String,
    #[serde(default)]
    required_hours: String,
}

impl From<TermForm> for TermInput {
    fn from(form: TermForm) -> Self {
        TermInput {
            code: form.code,
            window_start: form.window_start,
            window_end: form.window_end,
            review_deadline: form.review_deadline,
            required_hours: form.required_hours,
        }
    }
}

async fn create(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Form(form): Form<TermForm>,
) -> AppResult<Response> {
    let input = TermInput::from(form);
    match super::create_term(&state.db, &actor(&user, &client.ip), &input).await {
        Ok((term, seed)) => Ok(redirect_with_flash(
            &format!("/admin/terms/{}", term.code),
            FlashKind::Success,
            format!(
                "已建立{}。{}",
                term.code.label(),
                super::seed_message(&seed)
            ),
        )),
        Err(error) => {
            let errors = form_errors(error)?;
            let template = render_list(&state, page, input, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response())
        }
    }
}

/// A category with its rules in words, for the term page.
struct CategoryRow {
    category: Category,
    rules: Vec<RuleLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "terms/term.html")]
struct TermPage {
    page: Page,
    term: Term,
    current: bool,
    form: TermInput,
    errors: Vec<String>,
    categories: Vec<CategoryRow>,
}

async fn render_term(
    state: &AppState,
    page: Page,
    code: &str,
    form: Option<TermInput>,
    errors: Vec<String>,
) -> AppResult<TermPage> {
    let mut conn = state.db.conn().await?;
    let term = find_term(&mut conn, code).await?;
    let current = xueshi_store::terms::current(&mut conn, today())
        .await?
        .is_some_and(|current| current.code == term.code);
    let categories = categories::list_for_term(&mut conn, term.code)
        .await?
        .into_iter()
        .map(|category| CategoryRow {
            rules: rules_in_words(&category.rules),
            category,
        })
        .collect();
    Ok(TermPage {
        page: page.titled(term.code.label()),
        form: form.unwrap_or_else(|| TermInput::from_term(&term)),
        term,
        current,
        errors,
        categories,
    })
}

async fn detail(
    State(state): State<AppState>,
    page: Page,
    Path(code): Path<String>,
) -> AppResult<TermPage> {
    render_term(&state, page, &code, None, Vec::new()).await
}

async fn update(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path(code): Path<String>,
    Form(form): Form<TermForm>,
) -> AppResult<Response> {
    let term_code = find_term(&mut *state.db.conn().await?, &code).await?.code;
    let input = TermInput::from(form);
    match super::update_term(&state.db, &actor(&user, &client.ip), term_code, &input).await {
        Ok(term) => Ok(redirect_with_flash(
            &format!("/admin/terms/{}", term.code),
            FlashKind::Success,
            format!("{}的日期和学时要求已保存。", term.code.label()),
        )),
        Err(error) => {
            let errors = form_errors(error)?;
            let template = render_term(&state, page, &code, Some(input), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response())
        }
    }
}

/// One evidence kind's check box in a group row.
struct KindBox {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

/// One group row of the evidence rule: any one checked kind satisfies it.
struct GroupRow {
    /// Position from 0, which names the row's check boxes `group{index}`.
    index: usize,
    boxes: Vec<KindBox>,
}

#[derive(Template, WebTemplate)]
#[template(path = "terms/category.html")]
struct CategoryPage {
    page: Page,
    term: Term,
    category: Category,
    form: CategoryInput,
    groups: Vec<GroupRow>,
    can_add_group: bool,
    errors: Vec<String>,
}

impl CategoryPage {
    fn new(
        page: Page,
        term: Term,
        category: Category,
        form: CategoryInput,
        errors: Vec<String>,
    ) -> Self {
        let groups: Vec<GroupRow> = form
            .evidence_groups
            .iter()
            .enumerate()
            .map(|(index, group)| GroupRow {
                index,
                boxes: EvidenceKind::ALL
                    .iter()
                    .map(|kind| KindBox {
                        value: kind.as_str(),
                        label: kind.label(),
                        checked: group.contains(kind),
                    })
                    .collect(),
            })
            .collect();
        Self {
            page: page.titled(format!("{} · 第 {} 类", term.code.label(), category.code)),
            can_add_group: groups.len() < MAX_GROUPS,
            groups,
            term,
            category,
            form,
            errors,
        }
    }
}

async fn load_category(state: &AppState, code: &str, number: &str) -> AppResult<(Term, Category)> {
    let mut conn = state.db.conn().await?;
    let term = find_term(&mut conn, code).await?;
    let category = find_category(&mut conn, term.code, number).await?;
    Ok((term, category))
}

async fn category_form(
    State(state): State<AppState>,
    page: Page,
    Path((code, number)): Path<(String, String)>,
) -> AppResult<CategoryPage> {
    let (term, category) = load_category(&state, &code, &number).await?;
    let form = CategoryInput::from_category(&category);
    Ok(CategoryPage::new(page, term, category, form, Vec::new()))
}

async fn category_save(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    client: ClientInfo,
    Path((code, number)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (term, category) = load_category(&state, &code, &number).await?;
    let mut input = match CategoryInput::from_pairs(&pairs) {
        Ok(input) => input,
        Err(error) => {
            let errors = form_errors(error)?;
            let form = CategoryInput::from_category(&category);
            let template = CategoryPage::new(page, term, category, form, errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response());
        }
    };
    let adds_group = pairs
        .iter()
        .any(|(name, value)| name == "action" && value == "add_group");
    if adds_group {
        if input.evidence_groups.len() < MAX_GROUPS {
            input.evidence_groups.push(Vec::new());
        }
        return Ok(CategoryPage::new(page, term, category, input, Vec::new()).into_response());
    }
    let result = super::categories::update_category(
        &state.db,
        &actor(&user, &client.ip),
        term.code,
        category.code,
        &input,
    )
    .await;
    match result {
        Ok(saved) => Ok(redirect_with_flash(
            &format!("/admin/terms/{}", term.code),
            FlashKind::Success,
            format!("第 {} 类“{}”的规则已保存。", saved.code, saved.name),
        )),
        Err(error) => {
            let errors = form_errors(error)?;
            let template = CategoryPage::new(page, term, category, input, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, template).into_response())
        }
    }
}
