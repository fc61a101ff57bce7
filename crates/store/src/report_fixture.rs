//! Bulk data for report tests: claims inserted with multi-row INSERTs, and the finished
//! claims of one real term whose per-unit table the center published.
//!
//! The claims are written directly, not through `claims::transition`, because thousands
//! of claims reviewed level by level would make each test run for minutes. So the claims
//! have no decisions, audit rows or notifications; tests of the lax-review figures build
//! their claims through the transitions instead.

use jiff::civil::Date;
use sqlx::AnyConnection;
use xueshi_core::reason::codes;
use xueshi_core::unit::OrgName;
use xueshi_core::{ClaimStatus, Hours, ReviewLevel, Role, RoleKind, StaffId, TermCode, UnitKind};

use crate::categories::{self, Category};
use crate::people::{self, PersonFields};
use crate::terms::{self, Term};
use crate::{Db, new_id, now_ms, reasons, units};

/// One claim to insert, in any status but draft's editing fields.
#[derive(Debug, Clone)]
pub struct BulkClaim {
    pub term: TermCode,
    pub category_id: String,
    pub teacher_id: String,
    pub unit_id: String,
    pub office_id: Option<String>,
    pub topic: String,
    pub start_date: Date,
    pub end_date: Date,
    pub claimed_hours: Hours,
    pub status: ClaimStatus,
    /// The level of a pending claim.
    pub level: Option<ReviewLevel>,
    /// Set for accredited claims.
    pub accredited_hours: Option<Hours>,
    /// Set for rejected claims.
    pub reason_code: Option<String>,
    /// `platform` or `history`.
    pub source: &'static str,
}

/// Rows per INSERT statement: 20 values each stays far below the bind limits of SQLite
/// (32,766) and PostgreSQL (65,535).
const ROWS_PER_INSERT: usize = 200;

/// Inserts claims in one transaction, `ROWS_PER_INSERT` rows per statement.
pub async fn insert_claims(db: &Db, claims: &[BulkClaim]) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    for chunk in claims.chunks(ROWS_PER_INSERT) {
        insert_chunk(&mut tx, chunk).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn insert_chunk(conn: &mut AnyConnection, chunk: &[BulkClaim]) -> anyhow::Result<()> {
    const COLUMNS: usize = 20;
    let placeholders: Vec<String> = (0..chunk.len())
        .map(|row| {
            let values: Vec<String> = (1..=COLUMNS)
                .map(|column| format!("${}", row * COLUMNS + column))
                .collect();
            format!("({}, 'offline', 1, '')", values.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO claims (id, term_code, category_id, teacher_id, unit_id, office_id, topic, start_date, \
         end_date, claimed_hours, accredited_hours, status, level, reason_code, source, round, created_at, \
         updated_at, submitted_at, decided_at, mode, version, organizer) VALUES {}",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    let now = now_ms();
    for claim in chunk {
        let submitted = claim.status != ClaimStatus::Draft;
        let finished = matches!(
            claim.status,
            ClaimStatus::Accredited | ClaimStatus::Rejected
        );
        query = query
            .bind(new_id())
            .bind(claim.term.to_string())
            .bind(claim.category_id.clone())
            .bind(claim.teacher_id.clone())
            .bind(claim.unit_id.clone())
            .bind(claim.office_id.clone())
            .bind(claim.topic.clone())
            .bind(claim.start_date.to_string())
            .bind(claim.end_date.to_string())
            .bind(claim.claimed_hours.tenths())
            .bind(claim.accredited_hours.map(Hours::tenths))
            .bind(claim.status.as_str())
            .bind(claim.level.map(ReviewLevel::as_str))
            .bind(claim.reason_code.clone())
            .bind(claim.source)
            .bind(i64::from(submitted))
            .bind(now)
            .bind(now)
            .bind(submitted.then_some(now))
            .bind(finished.then_some(now));
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// The ten teaching units of one real term with their passed and not-passed claims, in an
/// order unlike the published table's.
pub const REAL_TERM_UNITS: [(&str, u64, u64); 10] = [
    ("财经学院", 339, 203),
    ("信息工程学院", 241, 219),
    ("管理学院", 639, 93),
    ("音乐学院", 365, 41),
    ("美术学院", 235, 131),
    ("建工学院", 235, 57),
    ("思政部", 295, 35),
    ("基础教学部", 180, 68),
    ("文化传媒学院", 410, 176),
    ("动力与电气工程学院", 36, 16),
];

/// Units of kind `other` with the four passed claims that belong to no teaching unit, and
/// one unit without finished claims.
pub const REAL_TERM_OTHER_UNITS: [(&str, u64, u64); 3] =
    [("教务处", 3, 0), ("图书馆", 1, 0), ("后勤处", 0, 0)];

/// Teachers created in each unit.
pub const TEACHERS_PER_UNIT: usize = 6;

/// The four reasons of the real review, given to rejected claims in turn.
pub const REAL_TERM_REASONS: [&str; 4] = [
    codes::OUT_OF_SCOPE,
    codes::INSUFFICIENT_EVIDENCE,
    codes::SCHOOL_ACCREDITED,
    codes::DUPLICATE,
];

/// What [`real_term`] created.
#[derive(Debug, Clone)]
pub struct RealTerm {
    pub term: TermCode,
    /// Unit ids and names in creation order: the teaching units, then the others.
    pub units: Vec<(String, String)>,
    /// Person ids of each unit's teachers, in the order of `units`.
    pub teachers: Vec<Vec<String>>,
    pub categories: Vec<Category>,
    /// Claims left pending or returned, which the table must not count.
    pub unfinished: u64,
    /// Drafts, which were never submitted.
    pub drafts: u64,
}

impl RealTerm {
    /// Returns the id of the unit with this name.
    pub fn unit_id(&self, name: &str) -> &str {
        self.units
            .iter()
            .find(|(_, unit_name)| unit_name == name)
            .map(|(id, _)| id.as_str())
            .unwrap_or_else(|| panic!("the fixture has no unit {name}"))
    }
}

/// Returns the code of the real term, 2022-2023-2.
pub fn real_term_code() -> TermCode {
    TermCode::new(2022, 2).expect("2022-2023-2 is a valid term")
}

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
];
const GIVEN_NAMES: [&str; 16] = [
    "芳", "伟", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
];

/// Builds a teacher's name from a running number. Names repeat, as real ones do.
pub fn teacher_name(number: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[number % SURNAMES.len()],
        GIVEN_NAMES[(number / SURNAMES.len() + number) % GIVEN_NAMES.len()]
    )
}

/// Creates the real term 2022-2023-2 with its units, teachers and the 4,018 finished claims
/// of the published table, plus claims still in review and drafts that the table must
/// leave out.
///
/// Every tenth claim is marked as imported from a spreadsheet (`source = 'history'`).
/// Rejected claims take the four real reasons in turn. Each unit has two offices and
/// [`TEACHERS_PER_UNIT`] teachers with the teacher role, and claims go to the teachers
/// and the eight categories in turn.
pub async fn real_term(db: &Db) -> anyhow::Result<RealTerm> {
    let term = real_term_code();
    let mut conn = db.conn().await?;
    reasons::seed_defaults(&mut conn).await?;
    terms::create(
        &mut conn,
        &Term {
            code: term,
            window_start: jiff::civil::date(2023, 2, 20),
            window_end: jiff::civil::date(2023, 7, 10),
            review_deadline: jiff::civil::date(2023, 7, 31),
            required_hours: Hours::from_whole(40),
        },
    )
    .await?;
    let categories = categories::list_for_term(&mut conn, term).await?;
    drop(conn);

    let all_units = REAL_TERM_UNITS
        .iter()
        .map(|unit| (unit, UnitKind::Teaching))
        .chain(
            REAL_TERM_OTHER_UNITS
                .iter()
                .map(|unit| (unit, UnitKind::Other)),
        );
    let mut fixture = RealTerm {
        term,
        units: Vec::new(),
        teachers: Vec::new(),
        categories,
        unfinished: 0,
        drafts: 0,
    };
    let mut claims = Vec::new();
    for (index, (&(name, accredited, rejected), kind)) in all_units.enumerate() {
        let (unit_id, offices, teachers) = create_unit(db, index, name, kind).await?;
        for number in 0..(accredited + rejected) as usize {
            let status = if (number as u64) < accredited {
                ClaimStatus::Accredited
            } else {
                ClaimStatus::Rejected
            };
            claims.push(real_claim(
                &fixture, &unit_id, &offices, &teachers, number, status,
            ));
        }
        fixture.units.push((unit_id, name.to_owned()));
        fixture.teachers.push(teachers);
    }

    // Claims still in review and drafts, in a teaching unit and in a non-teaching one.
    let unfinished = [
        (0, ClaimStatus::Pending, Some(ReviewLevel::Office)),
        (0, ClaimStatus::Pending, Some(ReviewLevel::Office)),
        (0, ClaimStatus::Pending, Some(ReviewLevel::Unit)),
        (0, ClaimStatus::Pending, Some(ReviewLevel::School)),
        (0, ClaimStatus::Returned, None),
        (0, ClaimStatus::Draft, None),
        (10, ClaimStatus::Pending, Some(ReviewLevel::School)),
        (10, ClaimStatus::Draft, None),
    ];
    for (number, (unit_index, status, level)) in unfinished.into_iter().enumerate() {
        let unit_id = fixture.units[unit_index].0.clone();
        let teachers = fixture.teachers[unit_index].clone();
        let mut claim = real_claim(&fixture, &unit_id, &[], &teachers, number, status);
        claim.level = level;
        claim.topic = format!("待审核的培训{}", number + 1);
        if status == ClaimStatus::Draft {
            fixture.drafts += 1;
        } else {
            fixture.unfinished += 1;
        }
        claims.push(claim);
    }

    insert_claims(db, &claims).await?;
    Ok(fixture)
}

/// Creates a unit with two offices and its teachers, and returns their ids.
async fn create_unit(
    db: &Db,
    index: usize,
    name: &str,
    kind: UnitKind,
) -> anyhow::Result<(String, Vec<String>, Vec<String>)> {
    let mut tx = db.begin_write().await?;
    let unit_id = units::create(&mut tx, &OrgName::parse("单位", name)?, kind).await?;
    let mut offices = Vec::new();
    for office in ["第一教研室", "第二教研室"] {
        offices.push(
            units::create_office(&mut tx, &unit_id, &OrgName::parse("教研室", office)?).await?,
        );
    }
    let mut teachers = Vec::new();
    for number in 0..TEACHERS_PER_UNIT {
        let staff_id = StaffId::parse(&format!("{}{:03}", 10 + index, number + 1))?;
        let fields = PersonFields {
            name: teacher_name(index * TEACHERS_PER_UNIT + number),
            unit_id: Some(unit_id.clone()),
            office_id: Some(offices[number % offices.len()].clone()),
            title: String::new(),
        };
        let person_id = people::create(&mut tx, &staff_id, &fields).await?;
        people::grant(&mut tx, &person_id, &Role::unscoped(RoleKind::Teacher)).await?;
        teachers.push(person_id);
    }
    tx.commit().await?;
    Ok((unit_id, offices, teachers))
}

/// Builds claim `number` of a unit in the real term, finished in `status`.
fn real_claim(
    fixture: &RealTerm,
    unit_id: &str,
    offices: &[String],
    teachers: &[String],
    number: usize,
    status: ClaimStatus,
) -> BulkClaim {
    let teacher = number % teachers.len();
    let category = &fixture.categories[number % fixture.categories.len()];
    let day = i8::try_from(number % 28).unwrap_or(0) + 1;
    let start = jiff::civil::date(2023, 3 + i8::try_from(number % 4).unwrap_or(0), day);
    BulkClaim {
        term: fixture.term,
        category_id: category.id.clone(),
        teacher_id: teachers[teacher].clone(),
        unit_id: unit_id.to_owned(),
        office_id: (!offices.is_empty()).then(|| offices[teacher % offices.len()].clone()),
        topic: format!("{}专题培训第{}期", category.name, number + 1),
        start_date: start,
        end_date: start,
        claimed_hours: Hours::from_whole(4),
        status,
        level: None,
        accredited_hours: (status == ClaimStatus::Accredited).then(|| Hours::from_whole(4)),
        reason_code: (status == ClaimStatus::Rejected)
            .then(|| REAL_TERM_REASONS[number % REAL_TERM_REASONS.len()].to_owned()),
        source: if number.is_multiple_of(10) {
            "history"
        } else {
            "platform"
        },
    }
}
