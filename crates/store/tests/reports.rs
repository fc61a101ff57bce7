//! The report figures on both backends: the real term's per-unit table from 4,018 claims,
//! and every breakdown on a small school whose claims go through the review levels.

mod common;

use common::{act, approve, create, day, draft, reject, return_with, school, submit};
use jiff::Timestamp;
use xueshi_core::reason::codes;
use xueshi_core::report::{
    LowerApprovalCounts, UnitRow, lax_review_shares_from_counts, unit_table,
};
use xueshi_core::unit::OrgName;
use xueshi_core::{ClaimAction, ClaimStatus, Hours, ReviewLevel, StaffId, TermCode, UnitKind};
use xueshi_store::activities::{self, NewActivity, TrainingMode};
use xueshi_store::report_fixture::{self, BulkClaim};
use xueshi_store::reports::{self, DetailFilter};
use xueshi_store::terms::{self, Term};
use xueshi_store::testing::TestDb;
use xueshi_store::{db_test, units};

fn row(unit: &str, submitted: u64, passed: u64, rejected: u64, rate: u32) -> UnitRow {
    UnitRow {
        unit: unit.to_owned(),
        submitted,
        passed,
        rejected,
        pass_rate_percent: rate,
    }
}

async fn real_term_table_matches_notice(test_db: &TestDb) {
    let fixture = report_fixture::real_term(&test_db.db).await.unwrap();
    let mut conn = test_db.db.conn().await.unwrap();

    let counts = reports::unit_outcomes(&mut conn, fixture.term)
        .await
        .unwrap();
    let table = unit_table(&counts);

    assert_eq!(
        table.rows,
        vec![
            row("音乐学院", 406, 365, 41, 90),
            row("思政部", 330, 295, 35, 89),
            row("管理学院", 732, 639, 93, 87),
            row("建工学院", 292, 235, 57, 80),
            row("基础教学部", 248, 180, 68, 73),
            row("文化传媒学院", 586, 410, 176, 70),
            row("动力与电气工程学院", 52, 36, 16, 69),
            row("美术学院", 366, 235, 131, 64),
            row("财经学院", 542, 339, 203, 63),
            row("信息工程学院", 460, 241, 219, 52),
            row("其他单位", 4, 4, 0, 100),
        ]
    );
    assert_eq!(table.total, row("合计", 4018, 2979, 1039, 74));
    assert_eq!(table.other_units, vec!["教务处", "图书馆"]);
}
db_test!(real_term_table_matches_notice);

async fn claims_in_review_are_counted_apart(test_db: &TestDb) {
    let fixture = report_fixture::real_term(&test_db.db).await.unwrap();
    let mut conn = test_db.db.conn().await.unwrap();

    let in_review = reports::in_review_by_unit(&mut conn, fixture.term)
        .await
        .unwrap();

    let summary: Vec<(&str, u64, u64, u64, u64)> = in_review
        .iter()
        .map(|unit| {
            (
                unit.unit_name.as_str(),
                unit.at_office,
                unit.at_unit,
                unit.at_school,
                unit.returned,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![("财经学院", 2, 1, 1, 1), ("教务处", 0, 0, 1, 0)]
    );
    let total: u64 = in_review.iter().map(|unit| unit.total()).sum();
    assert_eq!(total, fixture.unfinished);
    assert_eq!(in_review[1].kind, UnitKind::Other);
}
db_test!(claims_in_review_are_counted_apart);

async fn trend_lists_every_term(test_db: &TestDb) {
    let fixture = report_fixture::real_term(&test_db.db).await.unwrap();
    let mut conn = test_db.db.conn().await.unwrap();
    let later = fixture.term.next();
    terms::create(
        &mut conn,
        &Term {
            code: later,
            window_start: day(2023, 9, 1),
            window_end: day(2024, 1, 10),
            review_deadline: day(2024, 1, 31),
            required_hours: Hours::from_whole(40),
        },
    )
    .await
    .unwrap();
    drop(conn);

    let mut conn = test_db.db.conn().await.unwrap();
    let trend = reports::trend(&mut conn).await.unwrap();

    assert_eq!(trend.len(), 2);
    assert_eq!(trend[0].term, fixture.term);
    assert_eq!(
        (trend[0].submitted(), trend[0].accredited, trend[0].rejected),
        (4018, 2979, 1039)
    );
    assert_eq!(trend[0].pass_rate_percent(), 74);
    assert_eq!(trend[0].in_review, fixture.unfinished);
    assert_eq!(trend[1].term, later);
    assert_eq!((trend[1].submitted(), trend[1].in_review), (0, 0));
    assert_eq!(trend[1].pass_rate_percent(), 0);
}
db_test!(trend_lists_every_term);

async fn details_stream_in_order(test_db: &TestDb) {
    use futures::TryStreamExt;

    let fixture = report_fixture::real_term(&test_db.db).await.unwrap();
    let mut conn = test_db.db.conn().await.unwrap();
    let unit = fixture.unit_id("财经学院").to_owned();
    let filter = DetailFilter {
        term: fixture.term,
        unit_id: Some(unit),
    };

    let expected = reports::count_details(&mut conn, &filter).await.unwrap();
    let rows: Vec<reports::DetailRow> = reports::detail_rows(&mut conn, &filter)
        .try_collect()
        .await
        .unwrap();

    // 542 finished and 5 in review. The draft is left out.
    assert_eq!(expected, 547);
    assert_eq!(rows.len(), 547);
    assert!(rows.iter().all(|row| row.unit_name == "财经学院"));
    assert!(rows.iter().all(|row| row.status != ClaimStatus::Draft));
    let staff_ids: Vec<&str> = rows.iter().map(|row| row.staff_id.as_str()).collect();
    let mut sorted = staff_ids.clone();
    sorted.sort();
    assert_eq!(staff_ids, sorted);
    let rejected = rows
        .iter()
        .filter(|row| row.status == ClaimStatus::Rejected)
        .collect::<Vec<_>>();
    assert_eq!(rejected.len(), 203);
    assert!(rejected.iter().all(|row| row.reason_label.is_some()));
    let everything = DetailFilter {
        term: fixture.term,
        unit_id: None,
    };
    assert_eq!(
        reports::count_details(&mut conn, &everything)
            .await
            .unwrap(),
        4018 + fixture.unfinished
    );
}
db_test!(details_stream_in_order);

async fn rejected_teachers_grouped_by_reason(test_db: &TestDb) {
    let fixture = report_fixture::real_term(&test_db.db).await.unwrap();
    let mut conn = test_db.db.conn().await.unwrap();

    let teachers = reports::rejected_teachers(&mut conn, fixture.term)
        .await
        .unwrap();

    let total: u64 = teachers.iter().map(|teacher| teacher.claims).sum();
    assert_eq!(total, 1039);
    let reasons: Vec<Option<&str>> = teachers
        .iter()
        .map(|teacher| teacher.reason_code.as_deref())
        .collect();
    let mut order = reasons.clone();
    order.dedup();
    assert_eq!(
        order,
        vec![
            Some(codes::OUT_OF_SCOPE),
            Some(codes::INSUFFICIENT_EVIDENCE),
            Some(codes::SCHOOL_ACCREDITED),
            Some(codes::DUPLICATE),
        ],
        "one block per reason, in pick-list order"
    );
    assert!(
        teachers
            .iter()
            .all(|teacher| teacher.unit_kind == UnitKind::Teaching)
    );
}
db_test!(rejected_teachers_grouped_by_reason);

fn millis(rfc3339: &str) -> i64 {
    rfc3339.parse::<Timestamp>().unwrap().as_millisecond()
}

/// Runs the small school's claims through review:
/// 1. teacher: approved by office, unit and school (10 h accredited);
/// 2. colleague: approved by office and unit, rejected at school (out of scope);
/// 3. other teacher: approved by the other office and unit, rejected at school;
/// 4. officeless teacher: approved by unit, returned by school;
/// 5. teacher: rejected by the office director (duplicate);
/// 6. teacher: pending at office.
async fn reviewed_school(test_db: &TestDb) -> common::School {
    use ReviewLevel::{Office, School, Unit};
    let school = school(test_db).await;

    let first = create(
        test_db,
        &school.teacher,
        &draft(&school, "课程思政专题培训"),
    )
    .await;
    submit(test_db, &first, &school.teacher).await;
    for (level, reviewer, hours) in [
        (Office, &school.director, 12),
        (Unit, &school.unit_reviewer, 12),
        (School, &school.admin, 10),
    ] {
        act(
            test_db,
            &first,
            ClaimAction::Approve { level },
            reviewer,
            Some(&approve(hours)),
        )
        .await
        .unwrap();
    }

    for (teacher, director, reason) in [
        (&school.colleague, &school.director, codes::OUT_OF_SCOPE),
        (
            &school.other_teacher,
            &school.other_director,
            codes::INSUFFICIENT_EVIDENCE,
        ),
    ] {
        let claim = create(test_db, teacher, &draft(&school, "教学能力提升研修")).await;
        submit(test_db, &claim, teacher).await;
        act(
            test_db,
            &claim,
            ClaimAction::Approve { level: Office },
            director,
            Some(&approve(12)),
        )
        .await
        .unwrap();
        act(
            test_db,
            &claim,
            ClaimAction::Approve { level: Unit },
            &school.unit_reviewer,
            Some(&approve(12)),
        )
        .await
        .unwrap();
        act(
            test_db,
            &claim,
            ClaimAction::Reject { level: School },
            &school.admin,
            Some(&reject(reason, "")),
        )
        .await
        .unwrap();
    }

    let returned = create(
        test_db,
        &school.officeless,
        &draft(&school, "智慧教学工作坊"),
    )
    .await;
    submit(test_db, &returned, &school.officeless).await;
    act(
        test_db,
        &returned,
        ClaimAction::Approve { level: Unit },
        &school.unit_reviewer,
        Some(&approve(12)),
    )
    .await
    .unwrap();
    act(
        test_db,
        &returned,
        ClaimAction::Return { level: School },
        &school.admin,
        Some(&return_with("请补充培训记录")),
    )
    .await
    .unwrap();

    let duplicate = create(
        test_db,
        &school.teacher,
        &draft(&school, "混合式教学设计培训"),
    )
    .await;
    submit(test_db, &duplicate, &school.teacher).await;
    act(
        test_db,
        &duplicate,
        ClaimAction::Reject { level: Office },
        &school.director,
        Some(&reject(codes::DUPLICATE, "与已认定项目重复")),
    )
    .await
    .unwrap();

    let pending = create(
        test_db,
        &school.teacher,
        &draft(&school, "一流课程建设讲座"),
    )
    .await;
    submit(test_db, &pending, &school.teacher).await;
    school
}

async fn lax_review_per_unit_and_office(test_db: &TestDb) {
    let school = reviewed_school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();

    let groups = reports::lower_approvals(&mut conn, school.term, None)
        .await
        .unwrap();

    let mut found: Vec<(ReviewLevel, Option<&str>, u64, u64)> = groups
        .iter()
        .map(|group| {
            (
                group.level,
                group.office_name.as_deref(),
                group.decided_at_school,
                group.rejected_at_school,
            )
        })
        .collect();
    found.sort();
    // The returned claim's unit approval has no school verdict, so the unit counts three.
    assert_eq!(
        found,
        vec![
            (ReviewLevel::Office, Some("会计教研室"), 2, 1),
            (ReviewLevel::Office, Some("金融教研室"), 1, 1),
            (ReviewLevel::Unit, None, 3, 2),
        ]
    );
    let unit_shares = lax_review_shares_from_counts(
        &groups
            .iter()
            .filter(|group| group.level == ReviewLevel::Unit)
            .map(|group| LowerApprovalCounts {
                group: group.unit_name.clone(),
                decided_at_school: group.decided_at_school,
                rejected_at_school: group.rejected_at_school,
            })
            .collect::<Vec<_>>(),
    );
    assert_eq!(unit_shares[0].group, "财经学院");
    assert_eq!(unit_shares[0].percent, 67);

    let scoped = reports::lower_approvals(&mut conn, school.term, Some("no-such-unit"))
        .await
        .unwrap();
    assert!(scoped.is_empty());
}
db_test!(lax_review_per_unit_and_office);

async fn reasons_and_categories_of_small_school(test_db: &TestDb) {
    let school = reviewed_school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();

    let reasons = reports::rejection_reasons(&mut conn, school.term, None)
        .await
        .unwrap();
    let found: Vec<(&str, Option<&str>, u64)> = reasons
        .iter()
        .map(|reason| {
            (
                reason.unit_name.as_str(),
                reason.reason_code.as_deref(),
                reason.claims,
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("财经学院", Some(codes::OUT_OF_SCOPE), 1),
            ("财经学院", Some(codes::INSUFFICIENT_EVIDENCE), 1),
            ("财经学院", Some(codes::DUPLICATE), 1),
        ]
    );
    assert!(reasons.iter().all(|reason| reason.reason_label.is_some()));

    let categories = reports::category_outcomes(&mut conn, school.term, Some(&school.unit))
        .await
        .unwrap();
    assert_eq!(categories.len(), 8, "every category of the term is listed");
    let external = categories
        .iter()
        .find(|category| category.code == 5)
        .unwrap();
    assert_eq!(
        (external.accredited, external.rejected, external.in_review),
        (1, 3, 2)
    );
    assert_eq!(external.submitted(), 4);
    assert_eq!(external.pass_rate_percent(), 25);
    assert!(
        categories
            .iter()
            .filter(|category| category.code != 5)
            .all(|category| category.submitted() + category.in_review == 0)
    );
}
db_test!(reasons_and_categories_of_small_school);

fn activity(
    school: &common::School,
    unit: Option<&str>,
    code: u8,
    end: (i16, i8, i8),
) -> NewActivity {
    let end_date = day(end.0, end.1, end.2);
    NewActivity {
        term: school.term,
        category_id: school.category(code).id.clone(),
        title: "教学沙龙".to_owned(),
        unit_id: unit.map(str::to_owned),
        start_date: end_date,
        end_date,
        place: "图书馆报告厅".to_owned(),
        mode: TrainingMode::Offline,
        hours: Hours::from_whole(4),
        speaker: "陈教授".to_owned(),
        description: String::new(),
    }
}

async fn ledger_timeliness_per_unit(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();
    let music = units::create(
        &mut conn,
        &OrgName::parse("单位", "音乐学院").unwrap(),
        UnitKind::Teaching,
    )
    .await
    .unwrap();
    units::create(
        &mut conn,
        &OrgName::parse("单位", "后勤处").unwrap(),
        UnitKind::Other,
    )
    .await
    .unwrap();
    // Activities of the unit ending 2025-10-10, filed 1 day before and 3, 10 and 20 days
    // after, with filing more than 7 days after the end counted late.
    for filed in [
        "2025-10-09T02:00:00Z",
        "2025-10-13T02:00:00Z",
        "2025-10-20T02:00:00Z",
        "2025-10-30T02:00:00Z",
    ] {
        activities::file(
            &mut conn,
            &activity(&school, Some(&school.unit), 3, (2025, 10, 10)),
            None,
            millis(filed),
            7,
        )
        .await
        .unwrap();
    }
    activities::file(
        &mut conn,
        &activity(&school, None, 1, (2025, 10, 10)),
        None,
        millis("2025-10-10T02:00:00Z"),
        7,
    )
    .await
    .unwrap();

    let ledger = reports::ledger_timeliness(&mut conn, school.term, None)
        .await
        .unwrap();

    let found: Vec<(Option<&str>, u64, u64, Option<i64>)> = ledger
        .iter()
        .map(|row| {
            (
                row.unit_name.as_deref(),
                row.filed,
                row.late,
                row.median_delay_days,
            )
        })
        .collect();
    // The median of -1, 3, 10 and 20 is 6.5, shown as 7. A teaching unit that filed
    // nothing is listed, and a non-teaching unit that filed nothing is not.
    assert_eq!(
        found,
        vec![
            (None, 1, 0, Some(0)),
            (Some("财经学院"), 4, 2, Some(7)),
            (Some("音乐学院"), 0, 0, None),
        ]
    );

    let scoped = reports::ledger_timeliness(&mut conn, school.term, Some(&music))
        .await
        .unwrap();
    assert_eq!(scoped.len(), 1);
    assert_eq!(scoped[0].unit_name.as_deref(), Some("音乐学院"));
}
db_test!(ledger_timeliness_per_unit);

async fn teacher_hours_for_term_and_year(test_db: &TestDb) {
    let school = reviewed_school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();
    for person in [&school.teacher, &school.colleague, &school.other_teacher] {
        xueshi_store::people::grant(
            &mut conn,
            person,
            &xueshi_core::Role::unscoped(xueshi_core::RoleKind::Teacher),
        )
        .await
        .unwrap();
    }
    // The center credits 4 hours of its own training to the teacher.
    let credited = activities::file(
        &mut conn,
        &activity(&school, None, 1, (2025, 11, 5)),
        None,
        millis("2025-11-05T02:00:00Z"),
        7,
    )
    .await
    .unwrap();
    activities::add_attendance(
        &mut conn,
        &credited,
        std::slice::from_ref(&school.teacher),
        None,
    )
    .await
    .unwrap();
    // The second term of the school year, with 30 accredited hours.
    let spring = school.term.next();
    terms::create(
        &mut conn,
        &Term {
            code: spring,
            window_start: day(2026, 3, 1),
            window_end: day(2026, 7, 1),
            review_deadline: day(2026, 7, 15),
            required_hours: Hours::from_whole(40),
        },
    )
    .await
    .unwrap();
    let spring_category = xueshi_store::categories::list_for_term(&mut conn, spring)
        .await
        .unwrap()[4]
        .id
        .clone();
    drop(conn);
    report_fixture::insert_claims(
        &test_db.db,
        &[BulkClaim {
            term: spring,
            category_id: spring_category,
            teacher_id: school.teacher.clone(),
            unit_id: school.unit.clone(),
            office_id: Some(school.office.clone()),
            topic: "春季学期培训".to_owned(),
            start_date: day(2026, 4, 1),
            end_date: day(2026, 4, 2),
            claimed_hours: Hours::from_whole(30),
            status: ClaimStatus::Accredited,
            level: None,
            accredited_hours: Some(Hours::from_whole(30)),
            reason_code: None,
            source: "history",
        }],
    )
    .await
    .unwrap();

    let mut conn = test_db.db.conn().await.unwrap();
    let roster = reports::roster_teachers(&mut conn, Some(&school.unit))
        .await
        .unwrap();
    let term_hours = reports::teacher_hours(&mut conn, &[school.term], None)
        .await
        .unwrap();
    let year_hours = reports::teacher_hours(&mut conn, &[school.term, spring], Some(&school.unit))
        .await
        .unwrap();

    let roster_ids: Vec<&str> = roster
        .iter()
        .map(|teacher| teacher.staff_id.as_str())
        .collect();
    assert_eq!(roster_ids, vec!["1001", "1002", "1003"]);
    let teacher = StaffId::parse("1001").unwrap();
    let in_term = term_hours
        .iter()
        .find(|row| row.staff_id == teacher)
        .unwrap();
    assert_eq!(
        (in_term.accredited, in_term.school_credited),
        (Hours::from_whole(10), Hours::from_whole(4))
    );
    assert_eq!(
        term_hours.len(),
        1,
        "only the teacher has hours in the term"
    );
    let in_year = year_hours
        .iter()
        .find(|row| row.staff_id == teacher)
        .unwrap();
    assert_eq!(
        (in_year.accredited, in_year.school_credited),
        (Hours::from_whole(40), Hours::from_whole(4))
    );
    let other_unit = reports::teacher_hours(&mut conn, &[school.term], Some("no-such-unit"))
        .await
        .unwrap();
    assert!(other_unit.is_empty());
}
db_test!(teacher_hours_for_term_and_year);

async fn unknown_term_has_empty_figures(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let term = TermCode::parse("2030-2031-1").unwrap();
    assert!(
        reports::unit_outcomes(&mut conn, term)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        reports::category_outcomes(&mut conn, term, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(reports::trend(&mut conn).await.unwrap().is_empty());
}
db_test!(unknown_term_has_empty_figures);
