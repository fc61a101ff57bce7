use super::*;
use proptest::prelude::*;

fn unit(
    name: &str,
    kind: UnitKind,
    sort_order: i64,
    accredited: u64,
    rejected: u64,
) -> UnitOutcomeCounts {
    UnitOutcomeCounts {
        unit_name: name.to_owned(),
        kind,
        sort_order,
        accredited,
        rejected,
    }
}

fn teaching(name: &str, sort_order: i64, accredited: u64, rejected: u64) -> UnitOutcomeCounts {
    unit(name, UnitKind::Teaching, sort_order, accredited, rejected)
}

fn row(name: &str, submitted: u64, passed: u64, rejected: u64, rate: u32) -> UnitRow {
    UnitRow {
        unit: name.to_owned(),
        submitted,
        passed,
        rejected,
        pass_rate_percent: rate,
    }
}

/// Builds the ten teaching units of one real term, in an order unlike the table's, and
/// two non-teaching units with the four passed claims that belong to no teaching unit.
fn real_term() -> Vec<UnitOutcomeCounts> {
    vec![
        teaching("财经学院", 1, 339, 203),
        teaching("信息工程学院", 2, 241, 219),
        teaching("管理学院", 3, 639, 93),
        unit("教务处", UnitKind::Other, 20, 3, 0),
        teaching("音乐学院", 4, 365, 41),
        teaching("美术学院", 5, 235, 131),
        teaching("建工学院", 6, 235, 57),
        teaching("思政部", 7, 295, 35),
        teaching("基础教学部", 8, 180, 68),
        unit("图书馆", UnitKind::Other, 21, 1, 0),
        teaching("文化传媒学院", 9, 410, 176),
        teaching("动力与电气工程学院", 10, 36, 16),
        unit("后勤处", UnitKind::Other, 22, 0, 0),
    ]
}

#[test]
fn real_term_table_matches_notice() {
    let table = unit_table(&real_term());
    let expected = vec![
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
    ];
    assert_eq!(table.rows, expected);
}

#[test]
fn real_term_total_reconciles_with_notice_text() {
    let table = unit_table(&real_term());
    assert_eq!(table.total, row("合计", 4018, 2979, 1039, 74));
}

#[test]
fn history_sample_table() {
    let counts = vec![
        teaching("信息工程学院", 3, 5, 4),
        teaching("音乐学院", 1, 12, 2),
        teaching("财经学院", 2, 10, 7),
        unit("教务处", UnitKind::Other, 9, 1, 0),
    ];
    let table = unit_table(&counts);
    let expected = vec![
        row("音乐学院", 14, 12, 2, 86),
        row("财经学院", 17, 10, 7, 59),
        row("信息工程学院", 9, 5, 4, 56),
        row("其他单位", 1, 1, 0, 100),
    ];
    assert_eq!(table.rows, expected);
    assert_eq!(table.total, row("合计", 41, 28, 13, 68));
}

#[test]
fn row_serializes_with_report_field_names() {
    let json = serde_json::to_value(row("音乐学院", 14, 12, 2, 86)).unwrap();
    let expected = serde_json::json!({
        "unit": "音乐学院",
        "submitted": 14,
        "passed": 12,
        "rejected": 2,
        "pass_rate_percent": 86
    });
    assert_eq!(json, expected);
}

#[test]
fn other_units_lists_only_units_with_claims() {
    let table = unit_table(&real_term());
    assert_eq!(table.other_units, vec!["教务处", "图书馆"]);
}

#[test]
fn no_other_row_without_other_claims() {
    let counts = vec![
        teaching("音乐学院", 1, 12, 2),
        unit("教务处", UnitKind::Other, 2, 0, 0),
    ];
    let table = unit_table(&counts);
    assert_eq!(table.rows.len(), 1);
    assert!(table.other_units.is_empty());
}

#[test]
fn teaching_unit_without_claims_is_left_out() {
    let counts = vec![
        teaching("音乐学院", 1, 12, 2),
        teaching("美术学院", 2, 0, 0),
    ];
    let table = unit_table(&counts);
    let names: Vec<&str> = table.rows.iter().map(|row| row.unit.as_str()).collect();
    assert_eq!(names, vec!["音乐学院"]);
}

#[test]
fn order_uses_exact_rate_not_rounded() {
    // 200/201 and 199/200 both round to 100 %, but 200/201 is the higher rate.
    let counts = vec![teaching("乙学院", 1, 199, 1), teaching("甲学院", 2, 200, 1)];
    let table = unit_table(&counts);
    assert_eq!(table.rows[0].unit, "甲学院");
    assert_eq!(
        table.rows[0].pass_rate_percent,
        table.rows[1].pass_rate_percent
    );
}

#[test]
fn equal_rates_break_ties() {
    let counts = vec![
        teaching("丙学院", 1, 1, 1),
        teaching("乙学院", 3, 2, 2),
        teaching("甲学院", 2, 2, 2),
        teaching("丁学院", 2, 2, 2),
    ];
    let table = unit_table(&counts);
    let names: Vec<&str> = table.rows.iter().map(|row| row.unit.as_str()).collect();
    assert_eq!(names, vec!["丁学院", "甲学院", "乙学院", "丙学院"]);
}

#[test]
fn empty_input_gives_zero_total() {
    let table = unit_table(&[]);
    assert!(table.rows.is_empty());
    assert_eq!(table.total, row("合计", 0, 0, 0, 0));
}

#[test]
fn rates_round_half_up() {
    assert_eq!(pass_rate_percent(339, 542), 63);
    assert_eq!(pass_rate_percent(1, 8), 13);
    assert_eq!(pass_rate_percent(1, 3), 33);
    assert_eq!(pass_rate_percent(2, 3), 67);
    assert_eq!(pass_rate_percent(2979, 4018), 74);
}

#[test]
fn rate_of_nothing_is_zero() {
    assert_eq!(pass_rate_percent(0, 0), 0);
}

#[test]
fn rate_of_huge_counts_does_not_overflow() {
    assert_eq!(pass_rate_percent(u64::MAX, u64::MAX), 100);
    assert_eq!(pass_rate_percent(u64::MAX / 2, u64::MAX), 50);
}

#[test]
fn median_of_odd_count_is_middle() {
    assert_eq!(median_days(&[9, 1, 3]), Some(3));
}

#[test]
fn median_of_even_count_rounds_mean_half_up() {
    assert_eq!(median_days(&[1, 2, 4, 9]), Some(3));
    assert_eq!(median_days(&[1, 2]), Some(2));
    assert_eq!(median_days(&[2, 4]), Some(3));
}

#[test]
fn median_of_nothing_is_none() {
    assert_eq!(median_days(&[]), None);
}

#[test]
fn median_of_negative_delays_rounds_away_from_zero() {
    assert_eq!(median_days(&[-1, -2]), Some(-2));
}

fn approval(group: &str, outcome: Option<Outcome>) -> LowerApproval {
    LowerApproval {
        group: group.to_owned(),
        school_outcome: outcome,
    }
}

#[test]
fn lax_share_counts_school_rejections_of_approved_claims() {
    let approvals = vec![
        approval("财经学院", Some(Outcome::Rejected)),
        approval("财经学院", Some(Outcome::Accredited)),
        approval("财经学院", Some(Outcome::Accredited)),
        approval("财经学院", None),
        approval("音乐学院", Some(Outcome::Accredited)),
        approval("信息工程学院", Some(Outcome::Rejected)),
        approval("信息工程学院", Some(Outcome::Rejected)),
        approval("美术学院", None),
    ];
    let shares = lax_review_shares(&approvals);
    let expected = vec![
        LaxReviewShare {
            group: "信息工程学院".to_owned(),
            decided_at_school: 2,
            rejected_at_school: 2,
            percent: 100,
        },
        LaxReviewShare {
            group: "财经学院".to_owned(),
            decided_at_school: 3,
            rejected_at_school: 1,
            percent: 33,
        },
        LaxReviewShare {
            group: "音乐学院".to_owned(),
            decided_at_school: 1,
            rejected_at_school: 0,
            percent: 0,
        },
    ];
    assert_eq!(shares, expected);
}

#[test]
fn lax_review_counts_are_summed_and_ordered() {
    let counts = vec![
        LowerApprovalCounts {
            group: "财经学院".to_owned(),
            decided_at_school: 2,
            rejected_at_school: 1,
        },
        LowerApprovalCounts {
            group: "美术学院".to_owned(),
            decided_at_school: 0,
            rejected_at_school: 0,
        },
        LowerApprovalCounts {
            group: "信息工程学院".to_owned(),
            decided_at_school: 4,
            rejected_at_school: 3,
        },
        LowerApprovalCounts {
            group: "财经学院".to_owned(),
            decided_at_school: 1,
            rejected_at_school: 0,
        },
    ];
    let shares = lax_review_shares_from_counts(&counts);
    let groups: Vec<(&str, u64, u64, u32)> = shares
        .iter()
        .map(|share| {
            (
                share.group.as_str(),
                share.decided_at_school,
                share.rejected_at_school,
                share.percent,
            )
        })
        .collect();
    assert_eq!(
        groups,
        vec![("信息工程学院", 4, 3, 75), ("财经学院", 3, 1, 33)]
    );
}

fn staff(id: &str) -> StaffId {
    StaffId::parse(id).unwrap()
}

fn teacher(id: &str, name: &str, unit: &str) -> TeacherRef {
    TeacherRef {
        staff_id: staff(id),
        name: name.to_owned(),
        unit: unit.to_owned(),
    }
}

fn hours(id: &str, tenths: i64) -> TeacherHours {
    TeacherHours {
        staff_id: staff(id),
        hours: Hours::from_tenths(tenths),
    }
}

#[test]
fn teachers_below_required_are_listed_by_shortfall() {
    let teachers = vec![
        teacher("2000101", "罗跃敏", "音乐学院"),
        teacher("000102", "金华", "音乐学院"),
        teacher("2000103", "何萍", "财经学院"),
    ];
    let accredited = vec![
        hours("2000101", 160),
        hours("2000101", 45),
        hours("000102", 20),
        hours("2000199", 30),
    ];
    let result = hours_against_required(&teachers, &accredited, Hours::from_whole(20));

    let totals: Vec<i64> = result.totals.iter().map(|t| t.total.tenths()).collect();
    assert_eq!(totals, vec![205, 20, 0]);
    let below: Vec<&str> = result
        .below_required
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(below, vec!["何萍", "金华"]);
    assert_eq!(result.below_required[0].shortfall, Hours::from_whole(20));
    assert_eq!(result.below_required[1].shortfall, Hours::from_whole(18));
    assert_eq!(result.unknown_staff, vec![staff("2000199")]);
}

#[test]
fn teacher_meeting_requirement_has_no_shortfall() {
    let teachers = vec![teacher("2000101", "罗跃敏", "音乐学院")];
    let result = hours_against_required(&teachers, &[hours("2000101", 200)], Hours::from_whole(20));
    assert!(result.below_required.is_empty());
    assert_eq!(result.totals[0].shortfall, Hours::ZERO);
}

#[test]
fn roster_duplicate_counts_once() {
    let teachers = vec![
        teacher("2000101", "罗跃敏", "音乐学院"),
        teacher("2000101", "罗跃敏", "音乐学院"),
    ];
    let result = hours_against_required(&teachers, &[], Hours::from_whole(20));
    assert_eq!(result.totals.len(), 1);
}

fn arb_unit() -> impl Strategy<Value = UnitOutcomeCounts> {
    (
        "[甲乙丙丁]{1,3}学院",
        prop_oneof![Just(UnitKind::Teaching), Just(UnitKind::Other)],
        0i64..20,
        0u64..2_000,
        0u64..2_000,
    )
        .prop_map(|(name, kind, sort_order, accredited, rejected)| {
            unit(&name, kind, sort_order, accredited, rejected)
        })
}

proptest! {
    #[test]
    fn total_is_sum_of_rows(counts in proptest::collection::vec(arb_unit(), 0..15)) {
        let table = unit_table(&counts);
        let submitted: u64 = table.rows.iter().map(|row| row.submitted).sum();
        let passed: u64 = table.rows.iter().map(|row| row.passed).sum();
        let rejected: u64 = table.rows.iter().map(|row| row.rejected).sum();
        prop_assert_eq!(table.total.submitted, submitted);
        prop_assert_eq!(table.total.passed, passed);
        prop_assert_eq!(table.total.rejected, rejected);
    }

    #[test]
    fn every_claim_counts_once(counts in proptest::collection::vec(arb_unit(), 0..15)) {
        let table = unit_table(&counts);
        let input: u64 = counts.iter().map(|unit| unit.accredited + unit.rejected).sum();
        prop_assert_eq!(table.total.submitted, input);
    }

    #[test]
    fn rows_add_up(counts in proptest::collection::vec(arb_unit(), 0..15)) {
        let table = unit_table(&counts);
        for row in table.rows.iter().chain([&table.total]) {
            prop_assert_eq!(row.passed + row.rejected, row.submitted, "{}", row.unit);
            prop_assert!(row.pass_rate_percent <= 100);
        }
    }

    #[test]
    fn teaching_rows_are_ordered_by_rate(counts in proptest::collection::vec(arb_unit(), 0..15)) {
        let table = unit_table(&counts);
        let teaching: Vec<&UnitRow> = table
            .rows
            .iter()
            .filter(|row| row.unit != OTHER_UNITS_ROW)
            .collect();
        for pair in teaching.windows(2) {
            let higher = u128::from(pair[0].passed) * u128::from(pair[1].submitted);
            let lower = u128::from(pair[1].passed) * u128::from(pair[0].submitted);
            prop_assert!(higher >= lower, "{:?} before {:?}", pair[0], pair[1]);
        }
    }

    #[test]
    fn median_lies_within_values(values in proptest::collection::vec(-1_000i64..1_000, 1..30)) {
        let median = median_days(&values).unwrap();
        prop_assert!(values.iter().any(|v| *v <= median));
        prop_assert!(values.iter().any(|v| *v >= median));
    }
}
