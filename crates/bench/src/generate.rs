//! The provincial data set: terms, units and offices through the store's own functions,
//! then teachers, claims, evidence and decisions in multi-row INSERT statements on the
//! migrated schema.
//!
//! Every value comes from a fixed-seed generator, so two runs at one scale write the same
//! rows. Evidence rows point at `blobs` rows whose files were never stored.

use std::time::Instant;

use anyhow::Context;
use jiff::civil::Date;
use sqlx::Connection;
use xueshi_core::unit::OrgName;
use xueshi_core::{Hours, Role, RoleKind, StaffId, TermCode, UnitKind};
use xueshi_store::people::{self, PersonFields};
use xueshi_store::terms::{self, Term};
use xueshi_store::{Backend, Db, categories, units};

/// Teaching units; the notice's table ranks them.
const TEACHING_UNITS: usize = 40;
/// Units of kind `other` (library, offices), summed in one row of the table.
const OTHER_UNITS: usize = 6;
const OFFICES_PER_UNIT: usize = 5;
/// Rows per INSERT statement.
const ROWS_PER_STATEMENT: usize = 500;
/// Rows per transaction while loading.
const ROWS_PER_TRANSACTION: usize = 50_000;
/// Draft claims of the current term kept for the submission benchmark.
pub const SAMPLE_SIZE: usize = 400;

/// The password of the reviewers the benchmark signs in as.
pub const PASSWORD: &str = "Bench2026ok";
/// Staff ID of the center administrator, who reviews at school level.
pub const CENTER_ADMIN: &str = "1000001";
/// Staff ID of the reviewer of the first unit.
pub const UNIT_REVIEWER: &str = "1000002";

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN_NAMES: [&str; 20] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平",
];
const TOPICS: [&str; 12] = [
    "高校教师教学能力提升专题培训",
    "课程思政建设与教学设计研修",
    "混合式教学改革实践研讨",
    "新时代高校教师师德师风专题培训",
    "一流课程建设经验交流",
    "人工智能赋能教育教学研修",
    "教学学术与教学研究方法培训",
    "青年教师教学基本功专题研修",
    "实验教学与虚拟仿真项目建设培训",
    "教育数字化转型专题网络培训",
    "产教融合与实践教学研讨",
    "高校教师心理健康教育能力培训",
];
const TITLES: [&str; 4] = ["助教", "讲师", "副教授", "教授"];

/// A fixed-seed SplitMix64, so the data set does not depend on a random crate's version.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a number in `0..bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }
}

/// The sizes of the data set.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub claims: u64,
    pub teachers: u64,
    pub terms: u8,
}

/// One unit and its offices.
#[derive(Debug, Clone)]
pub struct UnitRef {
    pub id: String,
    pub name: String,
    pub offices: Vec<(String, String)>,
}

/// What the measurements need to know about the generated data set.
#[derive(Debug, Clone)]
pub struct DataSet {
    pub terms: Vec<TermCode>,
    /// The term still in review, with drafts and pending claims.
    pub current: TermCode,
    /// The last finished term, whose table is measured.
    pub finished: TermCode,
    pub units: Vec<UnitRef>,
    /// Claims of the current term pending at school level.
    pub pending_at_school: Vec<String>,
    /// Draft claims of the current term that pass the checks.
    pub drafts: Vec<String>,
    /// Rows written per table, in the order they were loaded.
    pub rows: Vec<(&'static str, u64)>,
    pub seconds: f64,
}

/// The outcome a generated claim has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Draft,
    Pending(&'static str),
    Returned,
    Accredited,
    Rejected,
}

impl Outcome {
    fn status(self) -> &'static str {
        match self {
            Outcome::Draft => "draft",
            Outcome::Pending(_) => "pending",
            Outcome::Returned => "returned",
            Outcome::Accredited => "accredited",
            Outcome::Rejected => "rejected",
        }
    }
}

/// Collects rows of one table and writes them in multi-row INSERT statements. Callers
/// flush the loaders of referenced tables first, because foreign keys are checked at
/// each statement.
struct Loader {
    table: &'static str,
    columns: &'static str,
    values: Vec<String>,
    written: u64,
}

impl Loader {
    fn new(table: &'static str, columns: &'static str) -> Self {
        Self {
            table,
            columns,
            values: Vec::with_capacity(ROWS_PER_STATEMENT),
            written: 0,
        }
    }

    fn push(&mut self, row: String) {
        self.values.push(row);
    }

    fn is_full(&self) -> bool {
        self.values.len() >= ROWS_PER_STATEMENT
    }

    async fn flush(&mut self, conn: &mut xueshi_store::Conn) -> anyhow::Result<()> {
        if self.values.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            self.table,
            self.columns,
            self.values.join(",")
        );
        // The values are generated here from fixed word lists, numbers and UUIDs, and
        // every text goes through `quote`.
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await
            .with_context(|| format!("insert into {} failed", self.table))?;
        self.written += self.values.len() as u64;
        self.values.clear();
        Ok(())
    }
}

/// Quotes a text as an SQL string literal.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn quote_opt(text: Option<&str>) -> String {
    text.map_or_else(|| "NULL".to_owned(), quote)
}

/// Returns the first day of a term's teaching weeks: 1 September for the first term,
/// 1 March for the second.
fn term_start(term: TermCode) -> Date {
    if term.number() == 1 {
        jiff::civil::date(term.first_year(), 9, 1)
    } else {
        jiff::civil::date(term.first_year() + 1, 3, 1)
    }
}

fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(jiff::Span::new().days(days))
        .expect("generated dates stay within a few years")
}

fn millis(date: Date) -> i64 {
    date.at(9, 0, 0, 0)
        .to_zoned_datetime(xueshi_core::date::school_time_zone())
        .expect("generated dates are valid")
        .timestamp()
        .as_millisecond()
}

/// Returns the terms of the data set, oldest first, ending with the term of today.
fn term_codes(count: u8) -> Vec<TermCode> {
    let today = xueshi_core::date::school_date(jiff::Timestamp::now());
    let mut code = xueshi_web::demo::term_of(today);
    let mut codes = vec![code];
    while codes.len() < usize::from(count) {
        code = code.previous();
        codes.push(code);
    }
    codes.reverse();
    codes
}

/// Picks the outcome of a claim of a finished term or of the current term. Units differ
/// in pass rate, so the table has an order to compute.
fn pick_outcome(rng: &mut Rng, current: bool, unit_index: usize) -> Outcome {
    let roll = rng.below(1000);
    if current {
        return match roll {
            0..10 => Outcome::Draft,
            10..200 => Outcome::Pending("office"),
            200..300 => Outcome::Pending("unit"),
            300..450 => Outcome::Pending("school"),
            450..500 => Outcome::Returned,
            500..800 => Outcome::Accredited,
            _ => Outcome::Rejected,
        };
    }
    let pass_per_mille = 650 + (unit_index as u64 * 7) % 300;
    if roll < pass_per_mille {
        Outcome::Accredited
    } else {
        Outcome::Rejected
    }
}

/// Creates the database's reference rows and reviewers, then loads the bulk rows.
pub async fn generate(db: &Db, scale: Scale) -> anyhow::Result<DataSet> {
    let started = Instant::now();
    xueshi_web::bootstrap::seed_reference_data(db).await?;
    let mut conn = db.conn().await?;

    let codes = term_codes(scale.terms);
    let current = *codes.last().expect("at least one term");
    let today = xueshi_core::date::school_date(jiff::Timestamp::now());
    let mut term_categories = Vec::new();
    for code in &codes {
        let (window_start, window_end) = if *code == current {
            (add_days(today, -30), add_days(today, 30))
        } else {
            let start = term_start(*code);
            (start, add_days(start, 140))
        };
        let term = Term {
            code: *code,
            window_start,
            window_end,
            review_deadline: add_days(window_end, 30),
            required_hours: Hours::from_whole(24),
        };
        terms::create(&mut conn, &term).await?;
        // Claims use the external categories (5 to 8), which need no ledger activity,
        // in code order.
        let mut external: Vec<_> = categories::list_for_term(&mut conn, *code)
            .await?
            .into_iter()
            .filter(|category| category.code >= 5)
            .collect();
        external.sort_by_key(|category| category.code);
        let ids: Vec<String> = external.into_iter().map(|category| category.id).collect();
        anyhow::ensure!(!ids.is_empty(), "term {code} has no external category");
        term_categories.push(ids);
    }

    let mut unit_refs = Vec::new();
    for index in 0..TEACHING_UNITS + OTHER_UNITS {
        let (name, kind) = if index < TEACHING_UNITS {
            (format!("第{}学院", index + 1), UnitKind::Teaching)
        } else {
            (
                format!("第{}直属部门", index + 1 - TEACHING_UNITS),
                UnitKind::Other,
            )
        };
        let id = units::create(&mut conn, &OrgName::parse("单位", &name)?, kind).await?;
        let mut offices = Vec::new();
        for office in 0..OFFICES_PER_UNIT {
            let office_name = format!("第{}教研室", office + 1);
            let office_id =
                units::create_office(&mut conn, &id, &OrgName::parse("教研室", &office_name)?)
                    .await?;
            offices.push((office_id, office_name));
        }
        unit_refs.push(UnitRef { id, name, offices });
    }
    create_reviewers(&mut conn, &unit_refs[0]).await?;

    let mut rng = Rng::new(0x5EED_2026);
    let mut rows = Vec::new();
    let teacher_ids = load_teachers(&mut conn, scale, &unit_refs, &mut rng, &mut rows).await?;
    let (pending_at_school, drafts) = load_claims(
        &mut conn,
        scale,
        &codes,
        &term_categories,
        &unit_refs,
        &teacher_ids,
        &mut rng,
        &mut rows,
    )
    .await?;

    // A bulk load leaves PostgreSQL's visibility map unset, so index-only scans would
    // read the table until autovacuum runs. VACUUM ANALYZE brings the database to the
    // state autovacuum keeps it in.
    if db.backend() == Backend::Postgres {
        sqlx::query("VACUUM ANALYZE").execute(&mut *conn).await?;
    } else {
        sqlx::query("ANALYZE").execute(&mut *conn).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .await?;
    }
    Ok(DataSet {
        finished: codes[codes.len().saturating_sub(2)],
        terms: codes,
        current,
        units: unit_refs,
        pending_at_school,
        drafts,
        rows,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Creates the center administrator and the first unit's reviewer through the store, with
/// a real password hash, so the benchmark signs in through the sign-in form.
async fn create_reviewers(conn: &mut xueshi_store::Conn, unit: &UnitRef) -> anyhow::Result<()> {
    let hash = xueshi_web::auth::password::hash(PASSWORD.to_owned()).await?;
    let reviewers = [
        (
            CENTER_ADMIN,
            "陈管理员",
            None,
            Role::unscoped(RoleKind::CenterAdmin),
        ),
        (
            UNIT_REVIEWER,
            "赵院长",
            Some(unit.id.clone()),
            Role {
                kind: RoleKind::UnitReviewer,
                scope_id: Some(unit.id.clone()),
            },
        ),
    ];
    for (staff_id, name, unit_id, role) in reviewers {
        let fields = PersonFields {
            name: name.to_owned(),
            unit_id,
            office_id: None,
            title: String::new(),
        };
        let id = people::create(conn, &StaffId::parse(staff_id)?, &fields).await?;
        people::set_password_hash(conn, &id, &hash, false).await?;
        people::grant(conn, &id, &role).await?;
    }
    Ok(())
}

/// Returns the staff ID of the teacher with this index.
pub fn teacher_staff_id(index: u64) -> String {
    format!("{}", 2_000_000 + index)
}

/// Returns the name of the teacher with this index.
pub fn teacher_name(index: u64) -> String {
    let surname = SURNAMES[(index % 20) as usize];
    let given = GIVEN_NAMES[((index / 20) % 20) as usize];
    let second = GIVEN_NAMES[((index / 400) % 20) as usize];
    format!("{surname}{given}{second}")
}

/// The unit and office of the teacher with this index.
fn teacher_place(index: u64, units: &[UnitRef]) -> (usize, usize) {
    let unit = (index % units.len() as u64) as usize;
    let office = ((index / units.len() as u64) % OFFICES_PER_UNIT as u64) as usize;
    (unit, office)
}

async fn load_teachers(
    conn: &mut xueshi_store::Conn,
    scale: Scale,
    units: &[UnitRef],
    rng: &mut Rng,
    rows: &mut Vec<(&'static str, u64)>,
) -> anyhow::Result<Vec<String>> {
    let mut people = Loader::new(
        "people",
        "id, staff_id, name, unit_id, office_id, title, active, must_change_password, created_at, updated_at",
    );
    let mut grants = Loader::new("role_grants", "person_id, role, scope_id, granted_at");
    let now = xueshi_store::now_ms();
    let mut ids = Vec::with_capacity(scale.teachers as usize);
    let mut tx = conn.begin().await?;
    for index in 0..scale.teachers {
        let id = xueshi_store::new_id();
        let (unit, office) = teacher_place(index, units);
        let title = TITLES[rng.below(TITLES.len() as u64) as usize];
        people.push(format!(
            "({},{},{},{},{},{},1,1,{now},{now})",
            quote(&id),
            quote(&teacher_staff_id(index)),
            quote(&teacher_name(index)),
            quote(&units[unit].id),
            quote(&units[unit].offices[office].0),
            quote(title),
        ));
        grants.push(format!(
            "({},{},'',{now})",
            quote(&id),
            quote(RoleKind::Teacher.as_str())
        ));
        ids.push(id);
        if people.is_full() {
            people.flush(&mut tx).await?;
            grants.flush(&mut tx).await?;
        }
    }
    people.flush(&mut tx).await?;
    grants.flush(&mut tx).await?;
    tx.commit().await?;
    rows.push(("people", people.written));
    rows.push(("role_grants", grants.written));
    Ok(ids)
}

/// Loads the claims with their evidence, files and decisions.
#[allow(clippy::too_many_arguments)]
async fn load_claims(
    conn: &mut xueshi_store::Conn,
    scale: Scale,
    codes: &[TermCode],
    term_categories: &[Vec<String>],
    units: &[UnitRef],
    teacher_ids: &[String],
    rng: &mut Rng,
    rows: &mut Vec<(&'static str, u64)>,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let mut claims = Loader::new(
        "claims",
        "id, term_code, category_id, teacher_id, unit_id, office_id, topic, organizer, start_date, end_date, \
         mode, claimed_hours, accredited_hours, notes, status, level, reason_code, source, round, version, \
         created_at, updated_at, submitted_at, decided_at",
    );
    let mut blobs = Loader::new("blobs", "sha256, size, file_type, created_at");
    let mut evidence = Loader::new(
        "evidence",
        "id, claim_id, sha256, kind, file_name, uploaded_by, uploaded_at",
    );
    let mut decisions = Loader::new(
        "decisions",
        "id, claim_id, round, level, decision, reviewer_id, accredited_hours, reason_code, comment, decided_at",
    );
    let reasons = [
        xueshi_core::reason::codes::OUT_OF_SCOPE,
        xueshi_core::reason::codes::INSUFFICIENT_EVIDENCE,
        xueshi_core::reason::codes::DUPLICATE,
        xueshi_core::reason::codes::WRONG_HOURS,
        xueshi_core::reason::codes::EVIDENCE_MISMATCH,
        xueshi_core::reason::codes::CATEGORY_MISMATCH,
    ];
    let current = *codes.last().expect("at least one term");
    let mut pending_at_school = Vec::new();
    let mut drafts = Vec::new();
    let mut last_sha = String::new();

    let mut tx = conn.begin().await?;
    for index in 0..scale.claims {
        let term_index = (index % codes.len() as u64) as usize;
        let term = codes[term_index];
        let is_current = term == current;
        let teacher = rng.below(scale.teachers);
        let (unit, office) = teacher_place(teacher, units);
        let mut outcome = pick_outcome(rng, is_current, unit);
        // Only the drafts the submission benchmark submits stay drafts, so that the
        // detail export, which leaves drafts out, covers every claim.
        if outcome == Outcome::Draft && drafts.len() >= SAMPLE_SIZE {
            outcome = Outcome::Pending("office");
        }
        // Drafts take category 5 (external training), whose certificate is the evidence
        // every draft has, so that their submission passes the checks.
        let choices = &term_categories[term_index];
        let category = if outcome == Outcome::Draft {
            &choices[0]
        } else {
            &choices[rng.below(choices.len() as u64) as usize]
        };
        let start = add_days(term_start(term), rng.below(110) as i64);
        let end = add_days(start, 1);
        let claimed_tenths = 125;
        let topic = format!(
            "{}（第{}期）",
            TOPICS[rng.below(TOPICS.len() as u64) as usize],
            rng.below(90) + 1
        );
        let created = millis(start) + 3 * 86_400_000;
        let submitted = (outcome != Outcome::Draft).then_some(created + 3_600_000);
        let decided = matches!(outcome, Outcome::Accredited | Outcome::Rejected)
            .then_some(created + 10 * 86_400_000);
        let level = match outcome {
            Outcome::Pending(level) => Some(level),
            _ => None,
        };
        let reason = (outcome == Outcome::Rejected)
            .then(|| reasons[rng.below(reasons.len() as u64) as usize]);
        let accredited = (outcome == Outcome::Accredited).then_some(claimed_tenths);
        let claim_id = xueshi_store::new_id();
        let teacher_id = &teacher_ids[teacher as usize];
        claims
            .push(format!(
                    "({},{},{},{},{},{},{},'教育部高等教育司',{},{},'offline',{claimed_tenths},{},'',{},{},{},'platform',{},0,{created},{},{},{})",
                    quote(&claim_id),
                    quote(&term.to_string()),
                    quote(category),
                    quote(teacher_id),
                    quote(&units[unit].id),
                    quote(&units[unit].offices[office].0),
                    quote(&topic),
                    quote(&start.to_string()),
                    quote(&end.to_string()),
                    accredited.map_or("NULL".to_owned(), |h| h.to_string()),
                    quote(outcome.status()),
                    quote_opt(level),
                    quote_opt(reason),
                    i64::from(outcome != Outcome::Draft),
                    decided.or(submitted).unwrap_or(created),
                    submitted.map_or("NULL".to_owned(), |t| t.to_string()),
                    decided.map_or("NULL".to_owned(), |t| t.to_string()),
                ),
            );

        // One certificate per claim; one in two hundred repeats the previous claim's file,
        // so the identical-evidence check has matches to find.
        let sha = if index > 0 && rng.below(200) == 0 {
            last_sha.clone()
        } else {
            let sha = format!(
                "{:016x}{:016x}{:016x}{:016x}",
                index,
                rng.next_u64(),
                rng.next_u64(),
                rng.next_u64()
            );
            blobs.push(format!(
                "({},{},'pdf',{created})",
                quote(&sha),
                150_000 + rng.below(900_000)
            ));
            sha
        };
        evidence.push(format!(
            "({},{},{},'certificate','结业证书.pdf',{},{created})",
            quote(&xueshi_store::new_id()),
            quote(&claim_id),
            quote(&sha),
            quote(teacher_id),
        ));
        last_sha = sha;

        // Lower levels approved every claim that reached the school; the school decided
        // the finished ones.
        let lower_levels: &[&str] = match outcome {
            Outcome::Pending("unit") => &["office"],
            Outcome::Pending("school") | Outcome::Accredited | Outcome::Rejected => {
                &["office", "unit"]
            }
            _ => &[],
        };
        for (step, lower) in lower_levels.iter().enumerate() {
            decisions.push(format!(
                "({},{},1,{},'approve',NULL,NULL,NULL,'',{})",
                quote(&xueshi_store::new_id()),
                quote(&claim_id),
                quote(lower),
                created + (step as i64 + 2) * 86_400_000,
            ));
        }
        if let Some(decided) = decided {
            let (decision, comment) = if outcome == Outcome::Accredited {
                ("approve", "")
            } else {
                ("reject", "证明材料与申报内容不符，请核实后重新申报。")
            };
            decisions.push(format!(
                "({},{},1,'school',{},NULL,{},{},{},{decided})",
                quote(&xueshi_store::new_id()),
                quote(&claim_id),
                quote(decision),
                accredited.map_or("NULL".to_owned(), |h| h.to_string()),
                quote_opt(reason),
                quote(comment),
            ));
        }

        if is_current {
            match outcome {
                Outcome::Pending("school") if pending_at_school.len() < SAMPLE_SIZE => {
                    pending_at_school.push(claim_id)
                }
                Outcome::Draft => drafts.push(claim_id),
                _ => {}
            }
        }
        if claims.is_full() {
            claims.flush(&mut tx).await?;
            blobs.flush(&mut tx).await?;
            evidence.flush(&mut tx).await?;
            decisions.flush(&mut tx).await?;
        }
        if (index + 1) % ROWS_PER_TRANSACTION as u64 == 0 {
            tx.commit().await?;
            tx = conn.begin().await?;
        }
    }
    claims.flush(&mut tx).await?;
    blobs.flush(&mut tx).await?;
    evidence.flush(&mut tx).await?;
    decisions.flush(&mut tx).await?;
    tx.commit().await?;
    rows.push(("claims", claims.written));
    rows.push(("blobs", blobs.written));
    rows.push(("evidence", evidence.written));
    rows.push(("decisions", decisions.written));
    Ok((pending_at_school, drafts))
}
