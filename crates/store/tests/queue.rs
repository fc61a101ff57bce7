//! The reviewers' queue: scope, own claims, filters and paging on both backends.

mod common;

use common::{act, approve, create, draft, grant, person, school, submit};
use xueshi_core::checks::{Finding, Severity};
use xueshi_core::{ClaimAction, ClaimStatus, ReviewLevel, RoleKind};
use xueshi_store::claims::{self, QueueFilter, QueueScope, QueueSort};
use xueshi_store::db_test;
use xueshi_store::testing::TestDb;

fn ids(page: &claims::QueuePage) -> Vec<&str> {
    page.rows.iter().map(|row| row.id.as_str()).collect()
}

async fn office_queue_is_scoped(test_db: &TestDb) {
    let school = school(test_db).await;
    // A second director of the office, so the first director's own claim is reviewed at
    // the office level too.
    let mut conn = test_db.db.conn().await.unwrap();
    let deputy = person(
        &mut conn,
        "2003",
        "钱副主任",
        &school.unit,
        Some(&school.office),
    )
    .await;
    grant(
        &mut conn,
        &deputy,
        RoleKind::OfficeDirector,
        Some(&school.office),
    )
    .await;
    drop(conn);

    let mine = create(
        test_db,
        &school.teacher,
        &draft(&school, "课程思政专题培训"),
    )
    .await;
    let colleagues = create(
        test_db,
        &school.colleague,
        &draft(&school, "混合式教学培训"),
    )
    .await;
    let other_office = create(
        test_db,
        &school.other_teacher,
        &draft(&school, "金融科技培训"),
    )
    .await;
    let directors_own = create(test_db, &school.director, &draft(&school, "教研室主任培训")).await;
    let still_draft = create(test_db, &school.teacher, &draft(&school, "尚未提交的培训")).await;
    for (id, teacher) in [
        (&mine, &school.teacher),
        (&colleagues, &school.colleague),
        (&other_office, &school.other_teacher),
        (&directors_own, &school.director),
    ] {
        submit(test_db, id, teacher).await;
    }

    let mut conn = test_db.db.conn().await.unwrap();
    let office_scope = QueueScope::Office(vec![school.office.clone()]);
    let page = claims::queue(
        &mut conn,
        &QueueFilter::waiting(office_scope.clone(), &school.director),
    )
    .await
    .unwrap();
    assert_eq!(page.total, 2);
    let listed = ids(&page);
    assert!(listed.contains(&mine.as_str()), "{listed:?}");
    assert!(listed.contains(&colleagues.as_str()), "{listed:?}");
    assert!(!listed.contains(&other_office.as_str()), "{listed:?}");
    assert!(!listed.contains(&directors_own.as_str()), "{listed:?}");
    assert!(!listed.contains(&still_draft.as_str()), "{listed:?}");

    // The deputy's queue lists the director's claim, which waits at the office level.
    let deputy_page = claims::queue(
        &mut conn,
        &QueueFilter::waiting(office_scope.clone(), &deputy),
    )
    .await
    .unwrap();
    assert_eq!(deputy_page.total, 3);
    assert!(ids(&deputy_page).contains(&directors_own.as_str()));

    let other_page = claims::queue(
        &mut conn,
        &QueueFilter::waiting(
            QueueScope::Office(vec![school.other_office.clone()]),
            &school.other_director,
        ),
    )
    .await
    .unwrap();
    assert_eq!(ids(&other_page), [other_office.as_str()]);

    let unit_page = claims::queue(
        &mut conn,
        &QueueFilter::waiting(
            QueueScope::Unit(vec![school.unit.clone()]),
            &school.unit_reviewer,
        ),
    )
    .await
    .unwrap();
    assert_eq!(unit_page.total, 0);
    let empty = claims::queue(
        &mut conn,
        &QueueFilter::waiting(QueueScope::Office(Vec::new()), &school.director),
    )
    .await
    .unwrap();
    assert_eq!(empty.total, 0);
    assert!(empty.rows.is_empty());
}
db_test!(office_queue_is_scoped);

async fn queue_follows_claim_up_levels(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.teacher,
        &draft(&school, "课程思政专题培训"),
    )
    .await;
    submit(test_db, &id, &school.teacher).await;
    act(
        test_db,
        &id,
        ClaimAction::Approve {
            level: ReviewLevel::Office,
        },
        &school.director,
        Some(&approve(12)),
    )
    .await
    .unwrap();

    let mut conn = test_db.db.conn().await.unwrap();
    let office_scope = QueueScope::Office(vec![school.office.clone()]);
    let office = claims::queue(
        &mut conn,
        &QueueFilter::waiting(office_scope.clone(), &school.director),
    )
    .await
    .unwrap();
    assert_eq!(office.total, 0);
    let unit = claims::queue(
        &mut conn,
        &QueueFilter::waiting(
            QueueScope::Unit(vec![school.unit.clone()]),
            &school.unit_reviewer,
        ),
    )
    .await
    .unwrap();
    assert_eq!(ids(&unit), [id.as_str()]);
    assert_eq!(unit.rows[0].level, Some(ReviewLevel::Unit));
    assert_eq!(unit.rows[0].teacher_staff_id, "1001");
    assert_eq!(unit.rows[0].office_name.as_deref(), Some("会计教研室"));

    // With a status filter the office still finds the claim it passed on.
    let mut pending = QueueFilter::waiting(office_scope, &school.director);
    pending.status = Some(ClaimStatus::Pending);
    let passed_on = claims::queue(&mut conn, &pending).await.unwrap();
    assert_eq!(ids(&passed_on), [id.as_str()]);
    pending.status = Some(ClaimStatus::Draft);
    assert_eq!(claims::queue(&mut conn, &pending).await.unwrap().total, 0);
}
db_test!(queue_follows_claim_up_levels);

async fn queue_filters_and_pages(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut ids_by_topic = Vec::new();
    for (teacher, topic) in [
        (&school.teacher, "课程思政专题培训"),
        (&school.colleague, "混合式教学培训"),
        (&school.teacher, "教学能力提升培训"),
        (&school.colleague, "智慧教学工具培训"),
        (&school.teacher, "实验教学培训"),
    ] {
        let id = create(test_db, teacher, &draft(&school, topic)).await;
        submit(test_db, &id, teacher).await;
        ids_by_topic.push(id);
    }
    let mut conn = test_db.db.conn().await.unwrap();
    let flag = Finding {
        code: "topic_out_of_scope",
        severity: Severity::Flag,
        message: "培训主题中没有常见关键词。".to_owned(),
        related_claim_id: None,
    };
    claims::replace_flags(&mut conn, &ids_by_topic[3], &[flag])
        .await
        .unwrap();

    let scope = QueueScope::Office(vec![school.office.clone()]);
    let base = QueueFilter::waiting(scope, &school.director);

    let mut paged = base.clone();
    paged.page_size = 2;
    paged.page = 3;
    let last = claims::queue(&mut conn, &paged).await.unwrap();
    assert_eq!(last.total, 5);
    assert_eq!(ids(&last), [ids_by_topic[4].as_str()]);
    paged.page = 1;
    let first = claims::queue(&mut conn, &paged).await.unwrap();
    assert_eq!(
        ids(&first),
        [ids_by_topic[0].as_str(), ids_by_topic[1].as_str()]
    );

    let mut search = base.clone();
    search.teacher_search = Some("李明".to_owned());
    let found = claims::queue(&mut conn, &search).await.unwrap();
    assert_eq!(found.total, 2);
    assert!(found.rows.iter().all(|row| row.teacher_name == "李明"));
    search.teacher_search = Some("100%".to_owned());
    let by_staff_id = claims::queue(&mut conn, &search).await.unwrap();
    assert_eq!(by_staff_id.total, 5);

    let mut flagged = base.clone();
    flagged.flag_code = Some("topic_out_of_scope".to_owned());
    let with_flag = claims::queue(&mut conn, &flagged).await.unwrap();
    assert_eq!(ids(&with_flag), [ids_by_topic[3].as_str()]);
    assert_eq!(with_flag.rows[0].flag_count, 1);
    let mut any_flag = base.clone();
    any_flag.flagged_only = true;
    assert_eq!(claims::queue(&mut conn, &any_flag).await.unwrap().total, 1);
    let mut by_flags = base.clone();
    by_flags.sort = QueueSort::FlagsDescending;
    let sorted = claims::queue(&mut conn, &by_flags).await.unwrap();
    assert_eq!(sorted.rows[0].id, ids_by_topic[3]);

    let mut other_category = base.clone();
    other_category.category_id = Some(school.category(6).id.clone());
    assert_eq!(
        claims::queue(&mut conn, &other_category)
            .await
            .unwrap()
            .total,
        0
    );

    let mut later = base.clone();
    later.start_from = Some(common::day(2025, 10, 14));
    assert_eq!(claims::queue(&mut conn, &later).await.unwrap().total, 0);
    let mut window = base.clone();
    window.start_from = Some(common::day(2025, 10, 13));
    window.start_to = Some(common::day(2025, 10, 13));
    assert_eq!(claims::queue(&mut conn, &window).await.unwrap().total, 5);

    let mut other_term = base.clone();
    other_term.term = Some(school.term.next());
    assert_eq!(
        claims::queue(&mut conn, &other_term).await.unwrap().total,
        0
    );
}
db_test!(queue_filters_and_pages);
