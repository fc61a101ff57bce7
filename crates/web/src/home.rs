//! The home page, with one section per role the person holds.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::routing::get;
use xueshi_store::{notifications, people, units};

use crate::AppState;
use crate::access::{Access, Route};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::page::Page;

pub fn routes() -> Vec<Route> {
    vec![Route::get("/", Access::SignedIn, get(home))]
}

/// Figures the administrators' section shows.
struct AdminSummary {
    teaching_units: usize,
    other_units: usize,
    offices: i64,
    people: i64,
    without_password: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    unit_name: Option<String>,
    office_name: Option<String>,
    roles: Vec<String>,
    admin: Option<AdminSummary>,
    teacher: Option<crate::claims::TeacherSummary>,
    review: Option<crate::review::home::ReviewHome>,
    unread_notifications: i64,
}

async fn home(State(state): State<AppState>, page: Page, user: CurrentUser) -> AppResult<HomePage> {
    let mut conn = state.db.conn().await?;
    let conn = &mut *conn;
    let person = people::get(conn, &user.person_id).await?;
    let admin = if user.is_admin() {
        let unit_list = units::list(conn).await?;
        let (active_people, without_password) = people::count_active(conn).await?;
        Some(AdminSummary {
            teaching_units: unit_list
                .iter()
                .filter(|u| u.kind == xueshi_core::UnitKind::Teaching)
                .count(),
            other_units: unit_list
                .iter()
                .filter(|u| u.kind == xueshi_core::UnitKind::Other)
                .count(),
            offices: unit_list.iter().map(|u| u.office_count).sum(),
            people: active_people,
            without_password,
        })
    } else {
        None
    };
    let teacher = if user.has(xueshi_core::RoleKind::Teacher) {
        crate::claims::teacher_summary(&state, &user).await?
    } else {
        None
    };
    let review = crate::review::home::summary(conn, &user).await?;
    let unread_notifications = notifications::count_unread(conn, &user.person_id).await?;
    Ok(HomePage {
        page: page.titled("首页"),
        unit_name: person.unit_name,
        office_name: person.office_name,
        roles: user.grants.iter().map(|g| g.label()).collect(),
        admin,
        teacher,
        review,
        unread_notifications,
    })
}
