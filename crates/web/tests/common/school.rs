//! A small school for the claim tests: one unit with one office, two teachers, the office
//! director, the unit reviewer, a center administrator and a teacher of another unit, and a
//! term whose submission window contains today.

use axum::http::StatusCode;
use jiff::civil::Date;
use xueshi_core::unit::OrgName;
use xueshi_core::{Hours, Role, RoleKind, TermCode, UnitKind};
use xueshi_store::terms::{self, Term};
use xueshi_store::units;

use super::{Browser, PASSWORD, TestApp, TestResponse};

pub const TEACHER_A: &str = "2001101";
pub const TEACHER_B: &str = "2001102";
pub const DIRECTOR: &str = "2001100";
pub const UNIT_REVIEWER: &str = "2001000";
pub const CENTER_ADMIN: &str = "1000001";
/// A teacher of another unit.
pub const OUTSIDER: &str = "2002101";

pub struct School {
    pub unit_id: String,
    pub office_id: String,
    pub other_unit_id: String,
    pub teacher_a: String,
    pub teacher_b: String,
    pub director: String,
    pub term: Term,
}

/// Returns today in Asia/Shanghai.
pub fn today() -> Date {
    xueshi_core::date::school_date(jiff::Timestamp::now())
}

/// Returns the date `days` days from today (negative for the past).
pub fn days_from_today(days: i64) -> Date {
    today()
        .checked_add(jiff::Span::new().days(days))
        .expect("test dates are near today")
}

/// Creates the school with the current term open for submission.
pub async fn school(app: &TestApp) -> School {
    let mut conn = app.db.conn().await.unwrap();
    let unit_id = units::create(
        &mut conn,
        &OrgName::parse("单位", "音乐学院").unwrap(),
        UnitKind::Teaching,
    )
    .await
    .unwrap();
    let office_id = units::create_office(
        &mut conn,
        &unit_id,
        &OrgName::parse("教研室", "声乐教研室").unwrap(),
    )
    .await
    .unwrap();
    let other_unit_id = units::create(
        &mut conn,
        &OrgName::parse("单位", "财经学院").unwrap(),
        UnitKind::Teaching,
    )
    .await
    .unwrap();
    let term = Term {
        code: xueshi_web::demo::term_of(today()),
        window_start: days_from_today(-30),
        window_end: days_from_today(30),
        review_deadline: days_from_today(60),
        required_hours: Hours::from_whole(24),
    };
    terms::create(&mut conn, &term).await.unwrap();
    drop(conn);

    let teacher = Role::unscoped(RoleKind::Teacher);
    let teacher_a = app
        .person(
            TEACHER_A,
            "李老师",
            Some(&unit_id),
            Some(&office_id),
            std::slice::from_ref(&teacher),
        )
        .await;
    let teacher_b = app
        .person(
            TEACHER_B,
            "王老师",
            Some(&unit_id),
            Some(&office_id),
            std::slice::from_ref(&teacher),
        )
        .await;
    let director = app
        .person(
            DIRECTOR,
            "张主任",
            Some(&unit_id),
            Some(&office_id),
            &[
                teacher.clone(),
                Role {
                    kind: RoleKind::OfficeDirector,
                    scope_id: Some(office_id.clone()),
                },
            ],
        )
        .await;
    app.person(
        UNIT_REVIEWER,
        "赵院长",
        Some(&unit_id),
        None,
        &[Role {
            kind: RoleKind::UnitReviewer,
            scope_id: Some(unit_id.clone()),
        }],
    )
    .await;
    app.person(
        CENTER_ADMIN,
        "陈管理员",
        None,
        None,
        &[Role::unscoped(RoleKind::CenterAdmin)],
    )
    .await;
    app.person(OUTSIDER, "刘老师", Some(&other_unit_id), None, &[teacher])
        .await;
    School {
        unit_id,
        office_id,
        other_unit_id,
        teacher_a,
        teacher_b,
        director,
        term,
    }
}

/// Adds a term whose submission window runs from `start` to `end`, and returns its code.
pub async fn term_with_window(app: &TestApp, code: TermCode, start: Date, end: Date) -> TermCode {
    let term = Term {
        code,
        window_start: start,
        window_end: end,
        review_deadline: end,
        required_hours: Hours::from_whole(24),
    };
    terms::create(&mut app.db.conn().await.unwrap(), &term)
        .await
        .unwrap();
    code
}

/// Builds the form fields of an external training (category 5) of two days.
pub fn external_training(term: TermCode, topic: &str) -> Vec<(&'static str, String)> {
    vec![
        ("term", term.to_string()),
        ("category", "5".to_owned()),
        ("activity_id", String::new()),
        ("topic", topic.to_owned()),
        ("organizer", "教育部高等教育司".to_owned()),
        ("start_date", days_from_today(-10).to_string()),
        ("end_date", days_from_today(-9).to_string()),
        ("mode", "offline".to_owned()),
        ("claimed_hours", "12.5".to_owned()),
        ("notes", String::new()),
        ("certificate_date", String::new()),
    ]
}

/// Replaces one field of a form.
pub fn with(
    mut fields: Vec<(&'static str, String)>,
    name: &str,
    value: &str,
) -> Vec<(&'static str, String)> {
    for field in fields.iter_mut() {
        if field.0 == name {
            field.1 = value.to_owned();
        }
    }
    fields
}

/// Posts the claim form and returns the response.
pub async fn post_claim(
    app: &TestApp,
    browser: &mut Browser,
    path: &str,
    fields: &[(&'static str, String)],
) -> TestResponse {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form(browser, path, &pairs).await
}

/// Creates a claim through the form and returns its id.
pub async fn create_claim(
    app: &TestApp,
    browser: &mut Browser,
    fields: &[(&'static str, String)],
) -> String {
    let response = post_claim(app, browser, "/claims", fields).await;
    assert_eq!(
        response.status,
        StatusCode::SEE_OTHER,
        "create failed: {}",
        response.text()
    );
    claim_id_of(&response)
}

/// Reads the claim id from a redirect to `/claims/{id}`.
pub fn claim_id_of(response: &TestResponse) -> String {
    let location = response.location().expect("a redirect");
    location
        .strip_prefix("/claims/")
        .unwrap_or_else(|| panic!("not a claim page: {location}"))
        .to_owned()
}

/// Uploads a file with its kind to a claim through the page's form.
pub async fn upload(
    app: &TestApp,
    browser: &mut Browser,
    claim_id: &str,
    file_name: &str,
    bytes: &[u8],
    kind: &str,
) -> TestResponse {
    app.post_file(
        browser,
        &format!("/claims/{claim_id}/evidence"),
        file_name,
        bytes,
        &[("kind", kind)],
    )
    .await
}

/// Signs in one of the school's people.
pub async fn sign_in(app: &TestApp, staff_id: &str) -> Browser {
    app.sign_in(staff_id, PASSWORD).await
}
