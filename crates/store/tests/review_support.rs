//! Store functions the review pages use: the queue's start-date order and category code,
//! the overturned approvals of a claim, and the center's edits to rejection reasons.

mod common;

use common::{act, approve, create, draft, reject, school, submit};
use jiff::civil::date;
use xueshi_core::reason::codes;
use xueshi_core::{ClaimAction, RejectionReason, ReviewLevel};
use xueshi_store::claims::{self, QueueFilter, QueueScope, QueueSort};
use xueshi_store::testing::TestDb;
use xueshi_store::{StoreError, db_test, reasons};

async fn queue_sorts_by_start_and_filters_code(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut later = draft(&school, "十一月的培训");
    later.start_date = date(2025, 11, 3);
    later.end_date = date(2025, 11, 3);
    let later = create(test_db, &school.teacher, &later).await;
    let earlier = create(test_db, &school.teacher, &draft(&school, "十月的培训")).await;
    for id in [&later, &earlier] {
        submit(test_db, id, &school.teacher).await;
    }

    let mut conn = test_db.db.conn().await.unwrap();
    let mut filter = QueueFilter::waiting(
        QueueScope::Office(vec![school.office.clone()]),
        &school.director,
    );
    let submitted_order = claims::queue(&mut conn, &filter).await.unwrap();
    assert_eq!(submitted_order.rows[0].id, later);
    filter.sort = QueueSort::StartDate;
    let start_order = claims::queue(&mut conn, &filter).await.unwrap();
    assert_eq!(start_order.rows[0].id, earlier);

    filter.category_code = Some(5);
    assert_eq!(claims::queue(&mut conn, &filter).await.unwrap().total, 2);
    filter.category_code = Some(6);
    assert_eq!(claims::queue(&mut conn, &filter).await.unwrap().total, 0);
}
db_test!(queue_sorts_by_start_and_filters_code);

async fn school_rejection_lists_overturned(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(test_db, &school.teacher, &draft(&school, "专题培训")).await;
    submit(test_db, &id, &school.teacher).await;
    let steps = [
        (ReviewLevel::Office, &school.director),
        (ReviewLevel::Unit, &school.unit_reviewer),
    ];
    for (level, reviewer) in steps {
        let decision = approve(12);
        act(
            test_db,
            &id,
            ClaimAction::Approve { level },
            reviewer,
            Some(&decision),
        )
        .await
        .unwrap();
    }
    let mut conn = test_db.db.conn().await.unwrap();
    assert!(
        claims::overturned_approvals(&mut conn, &id)
            .await
            .unwrap()
            .is_empty()
    );
    drop(conn);

    let decision = reject(codes::INSUFFICIENT_EVIDENCE, "");
    act(
        test_db,
        &id,
        ClaimAction::Reject {
            level: ReviewLevel::School,
        },
        &school.admin,
        Some(&decision),
    )
    .await
    .unwrap();
    let mut conn = test_db.db.conn().await.unwrap();
    let overturned = claims::overturned_approvals(&mut conn, &id).await.unwrap();
    let history = claims::history(&mut conn, &id).await.unwrap();
    let approvals: Vec<&str> = history
        .iter()
        .filter(|row| row.level != ReviewLevel::School)
        .map(|row| row.id.as_str())
        .collect();
    assert_eq!(overturned, approvals);
}
db_test!(school_rejection_lists_overturned);

async fn reasons_are_edited_and_deactivated(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    reasons::seed_defaults(&mut conn).await.unwrap();
    let all = reasons::list_all(&mut conn).await.unwrap();
    assert_eq!(all.len(), 9);
    assert!(all.iter().all(|reason| reason.active && reason.uses == 0));

    let late = RejectionReason {
        code: "late_filing".to_owned(),
        label: "逾期申报".to_owned(),
        sort_order: 95,
    };
    reasons::insert(&mut conn, &late).await.unwrap();
    let again = reasons::insert(&mut conn, &late).await;
    assert!(matches!(again, Err(StoreError::Unique(_))), "{again:?}");

    reasons::update(&mut conn, "late_filing", "逾期提交", 5)
        .await
        .unwrap();
    let first = &reasons::list_active(&mut conn).await.unwrap()[0];
    assert_eq!(first.label, "逾期提交");

    reasons::set_active(&mut conn, "late_filing", false)
        .await
        .unwrap();
    let active = reasons::list_active(&mut conn).await.unwrap();
    assert!(active.iter().all(|reason| reason.code != "late_filing"));
    let kept = reasons::get(&mut conn, "late_filing").await.unwrap();
    assert!(!kept.active);
    assert_eq!(
        reasons::label(&mut conn, "late_filing").await.unwrap(),
        "逾期提交"
    );

    let missing = reasons::update(&mut conn, "nope", "无", 1).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let missing = reasons::set_active(&mut conn, "nope", true).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}
db_test!(reasons_are_edited_and_deactivated);
