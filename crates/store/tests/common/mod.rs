//! A small school shared by the claim tests: one term with its categories, one unit with
//! two offices, teachers and a reviewer at each level.

#![allow(dead_code)]

use jiff::civil::{Date, date};
use sqlx::AnyConnection;
use xueshi_core::claim::DecisionInput;
use xueshi_core::unit::OrgName;
use xueshi_core::{ClaimAction, ClaimState, Hours, Role, RoleKind, StaffId, TermCode, UnitKind};
use xueshi_store::activities::TrainingMode;
use xueshi_store::audit::Actor;
use xueshi_store::categories::{self, Category};
use xueshi_store::claims::{self, ClaimDraft, TransitionFailure};
use xueshi_store::people::{self, PersonFields};
use xueshi_store::terms::{self, Term};
use xueshi_store::testing::TestDb;
use xueshi_store::{reasons, units};

pub struct School {
    pub term: TermCode,
    pub unit: String,
    pub office: String,
    pub other_office: String,
    /// A teacher of `office`.
    pub teacher: String,
    /// A second teacher of `office`.
    pub colleague: String,
    /// A teacher of `other_office`.
    pub other_teacher: String,
    /// A teacher of the unit without an office.
    pub officeless: String,
    /// Director of `office`.
    pub director: String,
    /// Director of `other_office`.
    pub other_director: String,
    pub unit_reviewer: String,
    pub admin: String,
    pub categories: Vec<Category>,
}

impl School {
    /// Returns the category of a code (1 to 8).
    pub fn category(&self, code: u8) -> &Category {
        self.categories
            .iter()
            .find(|category| category.code == code)
            .expect("the term has every default category")
    }
}

pub fn term_code() -> TermCode {
    TermCode::parse("2025-2026-1").unwrap()
}

pub fn term() -> Term {
    Term {
        code: term_code(),
        window_start: date(2025, 9, 1),
        window_end: date(2026, 1, 20),
        review_deadline: date(2026, 2, 10),
        required_hours: Hours::from_whole(40),
    }
}

pub fn org(raw: &str) -> OrgName {
    OrgName::parse("单位", raw).unwrap()
}

pub async fn person(
    conn: &mut AnyConnection,
    staff_id: &str,
    name: &str,
    unit: &str,
    office: Option<&str>,
) -> String {
    let fields = PersonFields {
        name: name.to_owned(),
        unit_id: Some(unit.to_owned()),
        office_id: office.map(str::to_owned),
        title: String::new(),
    };
    people::create(conn, &StaffId::parse(staff_id).unwrap(), &fields)
        .await
        .unwrap()
}

pub async fn grant(conn: &mut AnyConnection, person: &str, kind: RoleKind, scope: Option<&str>) {
    let role = Role {
        kind,
        scope_id: scope.map(str::to_owned),
    };
    people::grant(conn, person, &role).await.unwrap();
}

/// Builds the school on a fresh database.
pub async fn school(test_db: &TestDb) -> School {
    let mut conn = test_db.db.conn().await.unwrap();
    let conn = &mut *conn;
    reasons::seed_defaults(conn).await.unwrap();
    terms::create(conn, &term()).await.unwrap();
    let unit = units::create(conn, &org("财经学院"), UnitKind::Teaching)
        .await
        .unwrap();
    let office = units::create_office(conn, &unit, &org("会计教研室"))
        .await
        .unwrap();
    let other_office = units::create_office(conn, &unit, &org("金融教研室"))
        .await
        .unwrap();

    let teacher = person(conn, "1001", "王芳", &unit, Some(&office)).await;
    let colleague = person(conn, "1002", "李明", &unit, Some(&office)).await;
    let other_teacher = person(conn, "1003", "赵强", &unit, Some(&other_office)).await;
    let officeless = person(conn, "1004", "孙丽", &unit, None).await;
    let director = person(conn, "2001", "周主任", &unit, Some(&office)).await;
    let other_director = person(conn, "2002", "吴主任", &unit, Some(&other_office)).await;
    let unit_reviewer = person(conn, "3001", "郑审核", &unit, None).await;
    let admin = person(conn, "9001", "冯中心", &unit, None).await;
    grant(conn, &director, RoleKind::OfficeDirector, Some(&office)).await;
    grant(
        conn,
        &other_director,
        RoleKind::OfficeDirector,
        Some(&other_office),
    )
    .await;
    grant(conn, &unit_reviewer, RoleKind::UnitReviewer, Some(&unit)).await;
    grant(conn, &admin, RoleKind::CenterAdmin, None).await;

    let categories = categories::list_for_term(conn, term_code()).await.unwrap();
    School {
        term: term_code(),
        unit,
        office,
        other_office,
        teacher,
        colleague,
        other_teacher,
        officeless,
        director,
        other_director,
        unit_reviewer,
        admin,
        categories,
    }
}

/// Builds a draft of category 5 (external training, which needs no ledger activity).
pub fn draft(school: &School, topic: &str) -> ClaimDraft {
    ClaimDraft {
        term: school.term,
        category_id: school.category(5).id.clone(),
        topic: topic.to_owned(),
        organizer: "省教育厅".to_owned(),
        start_date: date(2025, 10, 13),
        end_date: date(2025, 10, 14),
        mode: TrainingMode::Offline,
        claimed_hours: Hours::from_whole(12),
        notes: String::new(),
        certificate_date: None,
        activity_id: None,
    }
}

/// Creates a draft for a teacher of the school in their own unit and office.
pub async fn create(test_db: &TestDb, teacher: &str, draft: &ClaimDraft) -> String {
    let mut conn = test_db.db.conn().await.unwrap();
    let person = people::get(&mut conn, teacher).await.unwrap();
    let unit = person.unit_id.expect("test teachers have a unit");
    let (id, created) = claims::create_draft(
        &mut conn,
        teacher,
        &unit,
        person.office_id.as_deref(),
        draft,
        None,
    )
    .await
    .unwrap();
    assert!(created);
    id
}

/// Runs one transition in its own write transaction, committing on success.
pub async fn act(
    test_db: &TestDb,
    claim_id: &str,
    action: ClaimAction,
    actor: &str,
    decision: Option<&DecisionInput>,
) -> Result<ClaimState, TransitionFailure> {
    let mut conn = test_db.db.conn().await.unwrap();
    let version = claims::get(&mut conn, claim_id).await.unwrap().version;
    drop(conn);
    act_at(test_db, claim_id, version, action, actor, decision).await
}

/// Runs one transition naming `version`, committing on success.
pub async fn act_at(
    test_db: &TestDb,
    claim_id: &str,
    version: i64,
    action: ClaimAction,
    actor: &str,
    decision: Option<&DecisionInput>,
) -> Result<ClaimState, TransitionFailure> {
    let mut tx = test_db.db.begin_write().await.unwrap();
    let actor = Actor::person(actor, Some("10.0.0.1".to_owned()));
    let state = claims::transition(&mut tx, claim_id, version, action, &actor, decision).await?;
    xueshi_store::commit(tx).await.unwrap();
    Ok(state)
}

pub async fn submit(test_db: &TestDb, claim_id: &str, teacher: &str) -> ClaimState {
    act(test_db, claim_id, ClaimAction::Submit, teacher, None)
        .await
        .unwrap()
}

pub fn approve(whole_hours: i64) -> DecisionInput {
    DecisionInput::Approve {
        accredited_hours: Hours::from_whole(whole_hours),
        comment: String::new(),
    }
}

pub fn reject(reason_code: &str, comment: &str) -> DecisionInput {
    DecisionInput::Reject {
        reason_code: reason_code.to_owned(),
        comment: comment.to_owned(),
    }
}

pub fn return_with(comment: &str) -> DecisionInput {
    DecisionInput::Return {
        comment: comment.to_owned(),
    }
}

/// Counts rows of a table matching `column = value`.
pub async fn count_where(test_db: &TestDb, table: &str, column: &str, value: &str) -> i64 {
    use sqlx::Row;
    let mut conn = test_db.db.conn().await.unwrap();
    let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(value)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
        .get::<i64, _>("n")
}

pub fn day(year: i16, month: i8, day: i8) -> Date {
    date(year, month, day)
}
