//! The demo school's past term: after `demo::fill` on an empty database, the per-unit
//! table of 2022-2023-2 is the table of the center's feedback notice.

use std::collections::BTreeSet;

use xueshi_core::report::{UnitRow, unit_table};
use xueshi_core::{ClaimStatus, StaffId, TermCode};
use xueshi_store::testing::TestDb;
use xueshi_store::{claims, db_test, history_import, people, terms};

/// The notice's rows in its order (unit, submitted, passed, not passed, pass rate), then
/// 其他单位 with the four passed claims the table left out, so the total matches the
/// notice's text: 4018 submitted, 2979 passed, 1039 not passed, 74 %.
const NOTICE: [(&str, u64, u64, u64, u32); 11] = [
    ("音乐学院", 406, 365, 41, 90),
    ("思政部", 330, 295, 35, 89),
    ("管理学院", 732, 639, 93, 87),
    ("建工学院", 292, 235, 57, 80),
    ("基础教学部", 248, 180, 68, 73),
    ("文化传媒学院", 586, 410, 176, 70),
    ("动力与电气工程学院", 52, 36, 16, 69),
    ("美术学院", 366, 235, 131, 64),
    ("财经学院", 542, 339, 203, 63),
    ("信息工程学院", 460, 241, 219, 52),
    ("其他单位", 4, 4, 0, 100),
];

fn row((unit, submitted, passed, rejected, rate): (&str, u64, u64, u64, u32)) -> UnitRow {
    UnitRow {
        unit: unit.to_owned(),
        submitted,
        passed,
        rejected,
        pass_rate_percent: rate,
    }
}

async fn past_term_gives_notice_table(test_db: &TestDb) {
    let db = &test_db.db;
    xueshi_web::bootstrap::seed_reference_data(db)
        .await
        .unwrap();
    let data_dir = tempfile::tempdir().unwrap();
    let config = xueshi_web::Config::for_data_dir(data_dir.path().to_path_buf());
    let filled = xueshi_web::demo::fill(db, &config).await.unwrap();
    assert!(filled.is_some(), "an empty database gets the demo school");

    let term = TermCode::parse("2022-2023-2").unwrap();
    let mut conn = db.conn().await.unwrap();
    let counts = history_import::finished_counts_by_unit(&mut conn, term)
        .await
        .unwrap();
    let table = unit_table(&counts);
    let expected: Vec<UnitRow> = NOTICE.into_iter().map(row).collect();
    assert_eq!(table.rows, expected);
    assert_eq!(
        table.total,
        row(("合计", 4018, 2979, 1039, 74)),
        "the total is the notice's text"
    );
    assert_eq!(table.other_units, ["教务处", "教师发展中心"]);

    let past = terms::get(&mut conn, term).await.unwrap();
    assert_eq!(past.required_hours.to_string(), "24");

    // One teacher's claims: dates inside the term, categories and reasons as drawn.
    let teacher = people::find_by_staff_id(&mut conn, &StaffId::parse("2009101").unwrap())
        .await
        .unwrap()
        .expect("the demo has teacher 2009101 in 财经学院");
    let claims = claims::list_for_teacher(&mut conn, &teacher.id, term)
        .await
        .unwrap();
    assert!(
        claims.len() > 40,
        "财经学院's 542 claims are spread over 9 people"
    );
    let first = "2023-02-01".parse().unwrap();
    let last = "2023-08-31".parse().unwrap();
    for claim in &claims {
        assert!(
            claim.start_date >= first && claim.end_date <= last,
            "{claim:?}"
        );
        assert!(claim.start_date <= claim.end_date, "{claim:?}");
        assert!(!claim.topic.is_empty());
        match claim.status {
            ClaimStatus::Accredited => assert!(claim.accredited_hours.is_some()),
            ClaimStatus::Rejected => assert!(claim.reason_code.is_some(), "{claim:?}"),
            other => panic!("a past claim is {other:?}"),
        }
    }
    let categories: BTreeSet<u8> = claims.iter().map(|claim| claim.category_code).collect();
    assert!(categories.len() >= 6, "{categories:?}");
    let reasons: BTreeSet<&str> = claims
        .iter()
        .filter_map(|claim| claim.reason_code.as_deref())
        .collect();
    assert!(reasons.contains("out_of_scope"), "{reasons:?}");
    assert!(reasons.contains("insufficient_evidence"), "{reasons:?}");
    drop(conn);

    // A database with the demo school is left alone.
    assert!(xueshi_web::demo::fill(db, &config).await.unwrap().is_none());
    let again = history_import::finished_counts_by_unit(&mut db.conn().await.unwrap(), term)
        .await
        .unwrap();
    assert_eq!(unit_table(&again).total.submitted, 4018);
}
db_test!(past_term_gives_notice_table);
