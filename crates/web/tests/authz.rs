//! Walks every route of the application with every role and without a session, and
//! checks that exactly the people the route is meant for get through.

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::TestApp;
use xueshi_core::unit::OrgName;
use xueshi_core::{Role, RoleKind, UnitKind};
use xueshi_store::testing::TestDb;
use xueshi_store::{auth, db_test, units};

/// Who a route is meant for, written here independently of the application's table.
#[derive(Clone, Copy, Debug)]
enum Meant {
    Everyone,
    /// Any signed-in person.
    SignedIn,
    Only(&'static [RoleKind]),
}

const ADMINS: Meant = Meant::Only(&[RoleKind::CenterAdmin, RoleKind::SystemAdmin]);
const CENTER: Meant = Meant::Only(&[RoleKind::CenterAdmin]);
const LEDGER: Meant = Meant::Only(&[RoleKind::CenterAdmin, RoleKind::UnitReviewer]);
const TEACHER: Meant = Meant::Only(&[RoleKind::Teacher]);
const REVIEWERS: Meant = Meant::Only(&[
    RoleKind::OfficeDirector,
    RoleKind::UnitReviewer,
    RoleKind::CenterAdmin,
]);
/// Center administrators, and unit reviewers for their own unit's figures.
const REPORT_READERS: Meant = Meant::Only(&[RoleKind::CenterAdmin, RoleKind::UnitReviewer]);

/// Every route with who it is meant for. A route the application has and this table
/// lacks fails the test, so new routes must be added here.
const EXPECTED: &[(&str, &str, Meant)] = &[
    ("GET", "/assets/{name}", Meant::Everyone),
    ("GET", "/login", Meant::Everyone),
    ("POST", "/login", Meant::Everyone),
    ("POST", "/logout", Meant::SignedIn),
    ("GET", "/password", Meant::SignedIn),
    ("POST", "/password", Meant::SignedIn),
    ("GET", "/", Meant::SignedIn),
    ("GET", "/admin/units", ADMINS),
    ("POST", "/admin/units", ADMINS),
    ("GET", "/admin/units/{id}", ADMINS),
    ("POST", "/admin/units/{id}", ADMINS),
    ("POST", "/admin/units/{id}/offices", ADMINS),
    ("POST", "/admin/offices/{id}", ADMINS),
    ("GET", "/admin/people", ADMINS),
    ("POST", "/admin/people", ADMINS),
    ("GET", "/admin/people/{id}", ADMINS),
    ("POST", "/admin/people/{id}", ADMINS),
    ("POST", "/admin/people/{id}/roles", ADMINS),
    ("POST", "/admin/people/{id}/roles/revoke", ADMINS),
    ("POST", "/admin/people/{id}/password", ADMINS),
    ("POST", "/admin/people/{id}/active", ADMINS),
    ("GET", "/admin/import/roster", CENTER),
    ("POST", "/admin/import/roster/preview", CENTER),
    ("POST", "/admin/import/roster/apply", CENTER),
    ("GET", "/admin/terms", CENTER),
    ("POST", "/admin/terms", CENTER),
    ("GET", "/admin/terms/{code}", CENTER),
    ("POST", "/admin/terms/{code}", CENTER),
    ("GET", "/admin/terms/{code}/categories/{number}", CENTER),
    ("POST", "/admin/terms/{code}/categories/{number}", CENTER),
    ("GET", "/ledger", LEDGER),
    ("POST", "/ledger", LEDGER),
    ("GET", "/ledger/new", LEDGER),
    ("GET", "/ledger/{id}", LEDGER),
    ("POST", "/ledger/{id}", LEDGER),
    ("POST", "/ledger/{id}/attendance/preview", LEDGER),
    ("POST", "/ledger/{id}/attendance/apply", LEDGER),
    ("GET", "/admin/import/history", CENTER),
    ("POST", "/admin/import/history/preview", CENTER),
    ("POST", "/admin/import/history/apply", CENTER),
    ("GET", "/reviews", REVIEWERS),
    ("POST", "/reviews/batch", REVIEWERS),
    ("GET", "/reviews/{id}", REVIEWERS),
    ("POST", "/reviews/{id}/decision", REVIEWERS),
    (
        "GET",
        "/reviews/{id}/evidence/{evidence_id}/inline",
        REVIEWERS,
    ),
    ("GET", "/notifications", Meant::SignedIn),
    ("POST", "/notifications/read-all", Meant::SignedIn),
    ("POST", "/notifications/{id}/read", Meant::SignedIn),
    ("GET", "/admin/reasons", CENTER),
    ("POST", "/admin/reasons", CENTER),
    ("POST", "/admin/reasons/{code}", CENTER),
    ("POST", "/admin/reasons/{code}/active", CENTER),
    ("GET", "/api/v1/openapi.json", Meant::Everyone),
    ("POST", "/api/v1/auth/token", Meant::Everyone),
    ("DELETE", "/api/v1/auth/token", Meant::SignedIn),
    ("GET", "/api/v1/me", Meant::SignedIn),
    ("GET", "/api/v1/units", ADMINS),
    ("POST", "/api/v1/units", ADMINS),
    ("PATCH", "/api/v1/units/{id}", ADMINS),
    ("GET", "/api/v1/people", ADMINS),
    ("GET", "/api/v1/people/{staff_id}", ADMINS),
    ("POST", "/api/v1/people/{staff_id}/roles", ADMINS),
    ("POST", "/api/v1/people/{staff_id}/roles/revoke", ADMINS),
    ("POST", "/api/v1/people/{staff_id}/password", ADMINS),
    ("POST", "/api/v1/people/{staff_id}/active", ADMINS),
    ("POST", "/api/v1/import/roster", ADMINS),
    ("GET", "/api/v1/terms", Meant::SignedIn),
    ("GET", "/api/v1/terms/{code}/categories", Meant::SignedIn),
    ("GET", "/api/v1/activities", LEDGER),
    ("POST", "/api/v1/activities", LEDGER),
    ("GET", "/api/v1/activities/{id}", LEDGER),
    ("POST", "/api/v1/activities/{id}/attendance", LEDGER),
    ("GET", "/claims", TEACHER),
    ("GET", "/claims/new", TEACHER),
    ("POST", "/claims", TEACHER),
    // Who may see a claim is decided per claim: its teacher and its reviewers.
    ("GET", "/claims/{id}", Meant::SignedIn),
    ("GET", "/claims/{id}/edit", TEACHER),
    ("POST", "/claims/{id}", TEACHER),
    ("POST", "/claims/{id}/submit", TEACHER),
    ("POST", "/claims/{id}/withdraw", TEACHER),
    ("POST", "/claims/{id}/delete", TEACHER),
    ("POST", "/claims/{id}/evidence", TEACHER),
    ("POST", "/evidence/{id}/delete", TEACHER),
    ("GET", "/evidence/{id}", Meant::SignedIn),
    ("GET", "/evidence/{id}/thumb", Meant::SignedIn),
    ("GET", "/api/v1/claims", TEACHER),
    ("POST", "/api/v1/claims", TEACHER),
    ("GET", "/api/v1/claims/{id}", Meant::SignedIn),
    ("PUT", "/api/v1/claims/{id}", TEACHER),
    ("DELETE", "/api/v1/claims/{id}", TEACHER),
    ("POST", "/api/v1/claims/{id}/evidence", TEACHER),
    ("POST", "/api/v1/claims/{id}/submit", TEACHER),
    ("POST", "/api/v1/claims/{id}/withdraw", TEACHER),
    ("GET", "/api/v1/evidence/{id}", Meant::SignedIn),
    ("POST", "/api/v1/claims/{id}/decisions", REVIEWERS),
    ("GET", "/api/v1/reviews/queue", REVIEWERS),
    ("POST", "/api/v1/import/history", CENTER),
    ("GET", "/transcripts", Meant::SignedIn),
    ("POST", "/transcripts/issue", Meant::SignedIn),
    ("GET", "/transcripts/{id}", Meant::SignedIn),
    ("GET", "/transcripts/{id}/xlsx", Meant::SignedIn),
    ("GET", "/verify", Meant::Everyone),
    ("GET", "/verify/{code}", Meant::Everyone),
    ("GET", "/reports", CENTER),
    ("GET", "/reports/dashboard", CENTER),
    ("GET", "/reports/units.xlsx", CENTER),
    ("GET", "/reports/units.csv", CENTER),
    ("GET", "/reports/notice.docx", CENTER),
    ("GET", "/reports/reasons", REPORT_READERS),
    ("GET", "/reports/categories", REPORT_READERS),
    ("GET", "/reports/review", REPORT_READERS),
    ("GET", "/reports/ledger", REPORT_READERS),
    ("GET", "/reports/hours", REPORT_READERS),
    ("GET", "/reports/exports", REPORT_READERS),
    ("POST", "/reports/exports", REPORT_READERS),
    ("GET", "/reports/exports/{id}", REPORT_READERS),
    ("GET", "/reports/exports/{id}/file", REPORT_READERS),
    ("GET", "/api/v1/reports/units", CENTER),
];

#[test]
fn table_covers_every_route() {
    let actual: BTreeSet<(String, String)> = xueshi_web::routes()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    let expected: BTreeSet<(String, String)> = EXPECTED
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = actual.difference(&expected).collect();
    let stale: Vec<_> = expected.difference(&actual).collect();
    assert!(
        missing.is_empty(),
        "routes without an expectation in this test: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "expectations for routes that do not exist: {stale:?}"
    );
}

/// The identities the walk uses: `None` is a request without a session.
const ROLES: [Option<RoleKind>; 6] = [
    None,
    Some(RoleKind::Teacher),
    Some(RoleKind::OfficeDirector),
    Some(RoleKind::UnitReviewer),
    Some(RoleKind::CenterAdmin),
    Some(RoleKind::SystemAdmin),
];

struct Fixture {
    unit_id: String,
    office_id: String,
    target_id: String,
}

impl Fixture {
    fn fill(&self, path: &str) -> String {
        let id = if path.starts_with("/admin/offices/") {
            &self.office_id
        } else if path.starts_with("/admin/people/") {
            &self.target_id
        } else {
            &self.unit_id
        };
        path.replace("{id}", id)
            .replace("{staff_id}", "3000001")
            .replace("{name}", "app.css")
            .replace("{code}", "ABCD-EFGH-JKMN")
            .replace("{evidence_id}", "no-such-file")
    }
}

async fn every_route_admits_only_its_roles(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
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
    drop(conn);
    let target_id = app
        .person(
            "3000001",
            "被查看者",
            Some(&unit_id),
            Some(&office_id),
            &[Role::unscoped(RoleKind::Teacher)],
        )
        .await;
    let fixture = Fixture {
        unit_id: unit_id.clone(),
        office_id: office_id.clone(),
        target_id,
    };

    let mut identities = Vec::new();
    for (index, role) in ROLES.iter().enumerate() {
        let Some(kind) = role else { continue };
        let scope = match kind.scope() {
            Some(xueshi_core::role::ScopeKind::Office) => Some(office_id.clone()),
            Some(xueshi_core::role::ScopeKind::Unit) => Some(unit_id.clone()),
            None => None,
        };
        let staff_id = format!("400000{index}");
        let person_id = app
            .person(
                &staff_id,
                "角色测试",
                Some(&unit_id),
                None,
                &[Role {
                    kind: *kind,
                    scope_id: scope,
                }],
            )
            .await;
        identities.push((*kind, person_id));
    }

    let mut failures = Vec::new();
    for (method, template, meant) in EXPECTED {
        let path = fixture.fill(template);
        for role in ROLES {
            let person_id = role.and_then(|kind| {
                identities
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map(|(_, id)| id.clone())
            });
            let status_and_location = request_as(&app, method, &path, person_id.as_deref()).await;
            if let Some(problem) = judge(*meant, role, &path, status_and_location) {
                failures.push(format!("{method} {template} as {role:?}: {problem}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} access problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
db_test!(every_route_admits_only_its_roles);

/// Sends one request as a person (through a fresh session or API token) or anonymously.
async fn request_as(
    app: &TestApp,
    method: &str,
    path: &str,
    person_id: Option<&str>,
) -> (StatusCode, Option<String>) {
    let is_api = path.starts_with("/api/");
    let method: Method = method.parse().unwrap();
    let csrf = "c".repeat(43);
    let mut builder = Request::builder().method(method.clone()).uri(path);
    let mut conn = app.db.conn().await.unwrap();
    match (person_id, is_api) {
        (Some(person), true) => {
            let token = xueshi_web::auth::token::random_token();
            auth::create_api_token(
                &mut conn,
                &xueshi_web::auth::token::hash_token(&token),
                person,
                i64::MAX / 2,
            )
            .await
            .unwrap();
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        (Some(person), false) => {
            let token = xueshi_web::auth::token::random_token();
            auth::create_session(
                &mut conn,
                &xueshi_web::auth::token::hash_token(&token),
                person,
                &csrf,
                i64::MAX / 2,
            )
            .await
            .unwrap();
            builder = builder.header(header::COOKIE, format!("xueshi_session={token}"));
        }
        (None, _) => {
            builder = builder.header(header::COOKIE, format!("xueshi_csrf={csrf}"));
        }
    }
    let body = if method == Method::GET {
        Body::empty()
    } else if is_api {
        builder = builder.header(header::CONTENT_TYPE, "application/json");
        Body::from("{}")
    } else {
        builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        Body::from(format!("_csrf={csrf}"))
    };
    let response = app.send(builder.body(body).unwrap()).await;
    (response.status, response.location())
}

/// Returns what is wrong with a response, or `None` when it matches the table.
fn judge(
    meant: Meant,
    role: Option<RoleKind>,
    path: &str,
    (status, location): (StatusCode, Option<String>),
) -> Option<String> {
    // A refusal redirects to "/login?next=…" (GET) or "/login?expired=1" (forms); signing
    // out redirects to a bare "/login".
    let sent_to_sign_in = status == StatusCode::SEE_OTHER
        && location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login?"));
    let refused =
        status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN || sent_to_sign_in;
    let admitted = match (meant, role) {
        (Meant::Everyone, _) => true,
        (_, None) => false,
        (Meant::SignedIn, Some(_)) => true,
        (Meant::Only(roles), Some(kind)) => roles.contains(&kind),
    };
    if admitted {
        if refused && !(path == "/api/v1/auth/token" && status == StatusCode::UNAUTHORIZED) {
            return Some(format!("meant to be admitted, got {status} {location:?}"));
        }
        return None;
    }
    let expected_refusal = match role {
        None if path.starts_with("/api/") => status == StatusCode::UNAUTHORIZED,
        None => sent_to_sign_in,
        Some(_) => status == StatusCode::FORBIDDEN,
    };
    (!expected_refusal).then(|| format!("meant to be refused, got {status} {location:?}"))
}
