//! The demo school's finished past term, 2022-2023-2, with the results of the center's
//! real feedback notice. Each teaching unit has the notice's numbers of claims submitted,
//! passed and not passed. Four passed claims of teachers outside the teaching units
//! complete it, so the term's per-unit table is the notice's table (4018 submitted,
//! 2979 passed, 1039 not passed, 74 %).
//!
//! The claims go in through the history import's store function, as a past term kept in
//! spreadsheets would.

use jiff::civil::Date;
use xueshi_core::claim::Outcome;
use xueshi_core::reason::codes;
use xueshi_core::unit::OrgName;
use xueshi_core::{HistoryRow, Hours, StaffId, TermCode};
use xueshi_store::audit::Actor;
use xueshi_store::people::{self, PeopleFilter, Person};
use xueshi_store::{Conn, history_import, units};

/// The past term the demo fills.
pub const PAST_TERM: &str = "2022-2023-2";

/// Hours each teacher had to reach in the past term.
const PAST_TERM_REQUIRED_HOURS: i64 = 24;

/// Passed and not-passed claims per teaching unit, from the notice's table.
pub const NOTICE_RESULTS: [(&str, u64, u64); 10] = [
    ("音乐学院", 365, 41),
    ("思政部", 295, 35),
    ("管理学院", 639, 93),
    ("建工学院", 235, 57),
    ("基础教学部", 180, 68),
    ("文化传媒学院", 410, 176),
    ("动力与电气工程学院", 36, 16),
    ("美术学院", 235, 131),
    ("财经学院", 339, 203),
    ("信息工程学院", 241, 219),
];

/// Passed claims of teachers of non-teaching units, which the notice's text counts and
/// its table leaves out: (unit, claims).
pub const OTHER_UNIT_PASSED: [(&str, u64); 2] = [("教务处", 2), ("教师发展中心", 2)];

/// Plausible topics per category code (1 to 8), with the usual claimed hours.
const TOPICS: [(u8, &[&str], &[i64]); 8] = [
    (
        1,
        &[
            "课程思政教学能力提升专题培训",
            "混合式教学设计工作坊",
            "智慧教学工具应用培训",
            "高校教师岗前培训",
            "教学能力比赛备赛辅导",
        ],
        &[2, 3, 4, 6, 8],
    ),
    (
        2,
        &[
            "名师示范课观摩",
            "青年教师教学沙龙",
            "一流课程建设经验分享会",
            "教学学术午餐会",
        ],
        &[2, 2, 3, 4],
    ),
    (
        3,
        &[
            "专业认证标准解读培训",
            "实验室安全专题培训",
            "人才培养方案修订培训",
        ],
        &[2, 3, 4, 6],
    ),
    (
        4,
        &["教研室集体备课", "听课评课活动", "教学案例研讨会"],
        &[1, 2, 2, 3, 4],
    ),
    (
        5,
        &[
            "全国高校教师网络培训",
            "教育部产学合作协同育人项目培训",
            "省级教学能力提升研修班",
        ],
        &[8, 12, 16, 24, 32],
    ),
    (
        6,
        &["人文社科学术研讨会", "学科前沿学术报告会", "学术讲座"],
        &[2, 3, 4],
    ),
    (
        7,
        &["国内访问学者研修", "暑期骨干教师研修班"],
        &[24, 32, 40, 48],
    ),
    (8, &["企业实践锻炼", "行业挂职锻炼"], &[16, 24, 32, 40]),
];

/// Category codes drawn per claim: the center's and the units' trainings most often,
/// further study and social practice least.
const CATEGORY_WEIGHTS: [(u8, u32); 8] = [
    (1, 22),
    (2, 14),
    (3, 16),
    (4, 14),
    (5, 14),
    (6, 12),
    (7, 3),
    (8, 5),
];

/// Rejection reasons drawn per rejected claim: the four of the real review mostly.
const REASON_WEIGHTS: [(&str, u32); 8] = [
    (codes::OUT_OF_SCOPE, 30),
    (codes::INSUFFICIENT_EVIDENCE, 28),
    (codes::SCHOOL_ACCREDITED, 16),
    (codes::DUPLICATE, 12),
    (codes::WRONG_HOURS, 5),
    (codes::CATEGORY_MISMATCH, 4),
    (codes::EVIDENCE_MISMATCH, 3),
    (codes::BUNDLED, 2),
];

/// A small deterministic generator (SplitMix64), so every demo database contains the
/// same past term.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, weight)| weight).sum();
        let mut ticket = self.below(total as usize) as u32;
        for (item, weight) in items {
            if ticket < *weight {
                return *item;
            }
            ticket -= weight;
        }
        items[0].0
    }
}

/// Fills the past term: creates it with 24 required hours and inserts its claims. Does
/// nothing to a term that has its claims already, because the rows' import keys exist.
pub async fn fill_past_term(conn: &mut Conn) -> anyhow::Result<usize> {
    let code = TermCode::parse(PAST_TERM)?;
    let mut term = history_import::past_term(code);
    term.required_hours = Hours::from_whole(PAST_TERM_REQUIRED_HOURS);
    let (first_day, _) = code.span();
    let mut draw = Draw(20230701);
    let mut rows = Vec::new();

    for (unit_name, passed, rejected) in NOTICE_RESULTS {
        let teachers = unit_teachers(conn, unit_name).await?;
        for index in 0..passed + rejected {
            // Spread the rejected claims evenly over the unit's claims.
            let total = passed + rejected;
            let is_rejected = (index + 1) * rejected / total > index * rejected / total;
            let teacher = &teachers[index as usize % teachers.len()];
            let outcome = if is_rejected {
                Outcome::Rejected
            } else {
                Outcome::Accredited
            };
            rows.push(claim_row(
                &mut draw, teacher, unit_name, outcome, first_day,
            )?);
        }
    }
    for (unit_name, passed) in OTHER_UNIT_PASSED {
        let teachers = unit_teachers(conn, unit_name).await?;
        for index in 0..passed {
            let teacher = &teachers[index as usize % teachers.len()];
            rows.push(claim_row(
                &mut draw,
                teacher,
                unit_name,
                Outcome::Accredited,
                first_day,
            )?);
        }
    }

    let done = history_import::insert(conn, &term, &rows, &Actor::system()).await?;
    tracing::info!(
        term = PAST_TERM,
        claims = done.new_rows.len(),
        "demo past term filled"
    );
    Ok(done.new_rows.len())
}

/// Lists the people of a demo unit by staff ID; fails when the unit has none.
async fn unit_teachers(conn: &mut Conn, unit_name: &str) -> anyhow::Result<Vec<Person>> {
    let key = OrgName::parse("单位", unit_name)?.key;
    let unit = units::find_by_key(conn, &key)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo has no unit {unit_name}"))?;
    let filter = PeopleFilter {
        unit_id: Some(unit.id),
        ..PeopleFilter::default()
    };
    let (people, _) = people::list(conn, &filter).await?;
    anyhow::ensure!(
        !people.is_empty(),
        "the demo unit {unit_name} has no people"
    );
    Ok(people)
}

/// Draws one claim of the past term for a teacher.
fn claim_row(
    draw: &mut Draw,
    teacher: &Person,
    unit_name: &str,
    outcome: Outcome,
    first_day: Date,
) -> anyhow::Result<HistoryRow> {
    let category_code = draw.weighted(&CATEGORY_WEIGHTS);
    let (_, topics, hours) = TOPICS
        .iter()
        .find(|(code, _, _)| *code == category_code)
        .copied()
        .ok_or_else(|| anyhow::anyhow!("no demo topics for category {category_code}"))?;
    let claimed = Hours::from_whole(*draw.pick(hours));
    // Trainings start between 20 February and 9 July 2023 and end by 23 July.
    let start = first_day.checked_add(jiff::Span::new().days(19 + draw.below(140) as i64))?;
    let length = if category_code >= 7 {
        3 + draw.below(12)
    } else {
        draw.below(3)
    };
    let end = start.checked_add(jiff::Span::new().days(length as i64))?;
    let (accredited_hours, reason_code) = match outcome {
        Outcome::Accredited => {
            // One passed claim in eight was accredited with fewer hours than claimed.
            let reduced = draw.below(8) == 0 && claimed.tenths() >= 40;
            let hours = if reduced {
                Hours::from_tenths(claimed.tenths() / 20 * 10)
            } else {
                claimed
            };
            (hours, None)
        }
        Outcome::Rejected => (Hours::ZERO, Some(draw.weighted(&REASON_WEIGHTS).to_owned())),
    };
    Ok(HistoryRow {
        staff_id: StaffId::parse(&teacher.staff_id)?,
        name: teacher.name.clone(),
        unit: OrgName::parse("单位", unit_name)?,
        category_code,
        topic: (*draw.pick(topics)).to_owned(),
        start_date: start,
        end_date: end,
        claimed_hours: claimed,
        accredited_hours,
        outcome,
        reason_code,
        reason_note: None,
    })
}
