//! The training ledger, attendance and school credits on both backends.

mod common;

use common::{day, school};
use jiff::Timestamp;
use xueshi_core::{Hours, TermCode};
use xueshi_store::activities::{
    self, ActivityFilter, AttendanceAdded, NewActivity, OrganizerFilter, TrainingMode,
};
use xueshi_store::claims;
use xueshi_store::testing::TestDb;
use xueshi_store::{StoreError, db_test};

fn millis(rfc3339: &str) -> i64 {
    rfc3339.parse::<Timestamp>().unwrap().as_millisecond()
}

fn activity(term: TermCode, category_id: &str, unit_id: Option<&str>, title: &str) -> NewActivity {
    NewActivity {
        term,
        category_id: category_id.to_owned(),
        title: title.to_owned(),
        unit_id: unit_id.map(str::to_owned),
        start_date: day(2025, 10, 18),
        end_date: day(2025, 10, 19),
        place: "图书馆报告厅".to_owned(),
        mode: TrainingMode::Offline,
        hours: Hours::from_whole(8),
        speaker: "陈教授".to_owned(),
        description: String::new(),
    }
}

#[test]
fn filing_delay_counts_shanghai_days() {
    let end = day(2025, 10, 19);
    // 23:30 UTC on the 20th is 07:30 on the 21st in Asia/Shanghai: two days after the end.
    let late_evening = millis("2025-10-20T23:30:00Z");
    assert_eq!(
        activities::filing_delay(end, late_evening, 1).unwrap(),
        (2, true)
    );
    assert_eq!(
        activities::filing_delay(end, late_evening, 2).unwrap(),
        (2, false)
    );
    // 15:59 UTC on the 19th is still the 19th in Shanghai.
    let same_day = millis("2025-10-19T15:59:00Z");
    assert_eq!(
        activities::filing_delay(end, same_day, 0).unwrap(),
        (0, false)
    );
    let before = millis("2025-10-10T02:00:00Z");
    assert_eq!(
        activities::filing_delay(end, before, 0).unwrap(),
        (-9, false)
    );
}

async fn filed_activity_records_delay(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();
    let new = activity(
        school.term,
        &school.category(3).id,
        Some(&school.unit),
        "教学方法专题培训",
    );
    let filed_at = millis("2025-10-20T23:30:00Z");
    let id = activities::file(&mut conn, &new, Some(&school.director), filed_at, 1)
        .await
        .unwrap();

    let stored = activities::get(&mut conn, &id).await.unwrap();
    assert_eq!(stored.filing_delay_days, 2);
    assert!(stored.late);
    assert_eq!(stored.filed_at, filed_at);
    assert_eq!(stored.unit_name.as_deref(), Some("财经学院"));
    assert_eq!(stored.category_code, 3);
    assert_eq!(stored.hours, Hours::from_whole(8));

    // Moving the end date recomputes the delay from the original filing time.
    let mut changed = new.clone();
    changed.end_date = day(2025, 10, 21);
    activities::update(&mut conn, &id, &changed, 1)
        .await
        .unwrap();
    let stored = activities::get(&mut conn, &id).await.unwrap();
    assert_eq!(stored.filing_delay_days, 0);
    assert!(!stored.late);
    assert_eq!(stored.end_date, day(2025, 10, 21));
}
db_test!(filed_activity_records_delay);

async fn activity_needs_category_of_term(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();
    let new = activity(
        school.term.next(),
        &school.category(3).id,
        None,
        "跨学期的活动",
    );
    let result = activities::file(&mut conn, &new, None, millis("2025-10-20T00:00:00Z"), 3).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}
db_test!(activity_needs_category_of_term);

async fn activity_list_filters(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();
    let filed_at = millis("2025-10-20T00:00:00Z");
    let center = activity(school.term, &school.category(1).id, None, "新入职教师培训");
    let unit = activity(
        school.term,
        &school.category(3).id,
        Some(&school.unit),
        "专业建设培训",
    );
    let center_id = activities::file(&mut conn, &center, None, filed_at, 3)
        .await
        .unwrap();
    let unit_id = activities::file(&mut conn, &unit, None, filed_at, 3)
        .await
        .unwrap();

    let filter = |organizer, category_id| ActivityFilter {
        term: school.term,
        organizer,
        category_id,
    };
    let ids = |list: Vec<activities::Activity>| -> Vec<String> {
        list.into_iter().map(|activity| activity.id).collect()
    };
    let all = activities::list(&mut conn, &filter(None, None))
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let centers = activities::list(&mut conn, &filter(Some(OrganizerFilter::Center), None))
        .await
        .unwrap();
    assert_eq!(ids(centers), std::slice::from_ref(&center_id));
    let units = activities::list(
        &mut conn,
        &filter(Some(OrganizerFilter::Unit(school.unit.clone())), None),
    )
    .await
    .unwrap();
    assert_eq!(ids(units), std::slice::from_ref(&unit_id));
    let by_category = activities::list(
        &mut conn,
        &filter(None, Some(school.category(1).id.clone())),
    )
    .await
    .unwrap();
    assert_eq!(ids(by_category), [center_id]);
}
db_test!(activity_list_filters);

async fn attendance_counts_repeats(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();
    let new = activity(school.term, &school.category(1).id, None, "新入职教师培训");
    let id = activities::file(&mut conn, &new, None, millis("2025-10-20T00:00:00Z"), 3)
        .await
        .unwrap();

    let first = vec![
        school.colleague.clone(),
        school.teacher.clone(),
        school.teacher.clone(),
    ];
    let added = activities::add_attendance(&mut conn, &id, &first, Some(&school.admin))
        .await
        .unwrap();
    assert_eq!(
        added,
        AttendanceAdded {
            added: 2,
            already_present: 1
        }
    );
    let second = vec![school.teacher.clone(), school.other_teacher.clone()];
    let added = activities::add_attendance(&mut conn, &id, &second, None)
        .await
        .unwrap();
    assert_eq!(
        added,
        AttendanceAdded {
            added: 1,
            already_present: 1
        }
    );

    let list = activities::attendance(&mut conn, &id).await.unwrap();
    let staff_ids: Vec<&str> = list.iter().map(|person| person.staff_id.as_str()).collect();
    assert_eq!(staff_ids, ["1001", "1002", "1003"]);
    assert_eq!(list[0].unit_name.as_deref(), Some("财经学院"));
    assert_eq!(
        activities::get(&mut conn, &id)
            .await
            .unwrap()
            .attendance_count,
        3
    );

    let missing = activities::add_attendance(&mut conn, "no-such-activity", &second, None).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}
db_test!(attendance_counts_repeats);

async fn school_credits_come_from_attendance(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();
    let filed_at = millis("2025-10-20T00:00:00Z");
    // Category 1 is school-accredited, category 3 is not.
    let mut center = activity(school.term, &school.category(1).id, None, "新入职教师培训");
    center.hours = Hours::from_tenths(45);
    let unit = activity(
        school.term,
        &school.category(3).id,
        Some(&school.unit),
        "专业建设培训",
    );
    let center_id = activities::file(&mut conn, &center, None, filed_at, 3)
        .await
        .unwrap();
    let unit_id = activities::file(&mut conn, &unit, None, filed_at, 3)
        .await
        .unwrap();
    let teacher = vec![school.teacher.clone()];
    activities::add_attendance(&mut conn, &center_id, &teacher, None)
        .await
        .unwrap();
    activities::add_attendance(&mut conn, &unit_id, &teacher, None)
        .await
        .unwrap();

    let credits = activities::school_credits_for(&mut conn, &school.teacher, school.term)
        .await
        .unwrap();
    assert_eq!(credits.len(), 1);
    assert_eq!(credits[0].activity_id, center_id);
    assert_eq!(credits[0].hours, Hours::from_tenths(45));
    assert!(
        activities::is_credited(&mut conn, &center_id, &school.teacher)
            .await
            .unwrap()
    );
    assert!(
        !activities::is_credited(&mut conn, &unit_id, &school.teacher)
            .await
            .unwrap()
    );
    assert!(
        !activities::is_credited(&mut conn, &center_id, &school.colleague)
            .await
            .unwrap()
    );

    let summary = claims::hours_summary(&mut conn, &school.teacher, school.term)
        .await
        .unwrap();
    assert_eq!(summary.school_credited, Hours::from_tenths(45));
    assert_eq!(summary.claimed, Hours::ZERO);
    let other_term = activities::school_credits_for(&mut conn, &school.teacher, school.term.next())
        .await
        .unwrap();
    assert!(other_term.is_empty());
}
db_test!(school_credits_come_from_attendance);
