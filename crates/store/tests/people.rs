//! Units, offices, people, roles, sign-in counters and the audit log on both backends.

use xueshi_core::unit::OrgName;
use xueshi_core::{Role, RoleKind, StaffId, UnitKind};
use xueshi_store::audit::{self, Actor, AuditEntry};
use xueshi_store::auth::{self, ThrottleLimit};
use xueshi_store::people::{self, PeopleFilter, PersonFields};
use xueshi_store::testing::TestDb;
use xueshi_store::{StoreError, db_test, units};

fn name(raw: &str) -> OrgName {
    OrgName::parse("单位", raw).unwrap()
}

async fn unit_names_match_on_key(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let pool = &mut *conn;
    let id = units::create(pool, &name("财经学院"), UnitKind::Teaching)
        .await
        .unwrap();
    let found = units::find_by_key(pool, &name("财经 学院\u{3000}").key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.name, "财经学院");
    let duplicate = units::create(pool, &name(" 财经学院"), UnitKind::Other).await;
    assert!(
        matches!(duplicate, Err(StoreError::Unique(_))),
        "{duplicate:?}"
    );
}
db_test!(unit_names_match_on_key);

async fn units_list_teaching_first(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let pool = &mut *conn;
    units::create(pool, &name("教务处"), UnitKind::Other)
        .await
        .unwrap();
    units::create(pool, &name("音乐学院"), UnitKind::Teaching)
        .await
        .unwrap();
    let list = units::list(pool).await.unwrap();
    let names: Vec<&str> = list.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["音乐学院", "教务处"]);
}
db_test!(units_list_teaching_first);

async fn people_with_one_name_are_two(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let pool = &mut *conn;
    let unit = units::create(pool, &name("音乐学院"), UnitKind::Teaching)
        .await
        .unwrap();
    let office = units::create_office(pool, &unit, &name("声乐教研室"))
        .await
        .unwrap();
    let fields = PersonFields {
        name: "王芳".into(),
        unit_id: Some(unit.clone()),
        office_id: Some(office.clone()),
        title: "讲师".into(),
    };
    people::create(pool, &StaffId::parse("00123").unwrap(), &fields)
        .await
        .unwrap();
    people::create(pool, &StaffId::parse("00124").unwrap(), &fields)
        .await
        .unwrap();
    let (list, total) = people::list(
        pool,
        &PeopleFilter {
            unit_id: Some(unit),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(total, 2);
    assert_eq!(list[0].staff_id, "00123");
    assert_eq!(list[0].office_name.as_deref(), Some("声乐教研室"));
    let again = people::create(pool, &StaffId::parse("00123").unwrap(), &fields).await;
    assert!(matches!(again, Err(StoreError::Unique(_))));
}
db_test!(people_with_one_name_are_two);

async fn grants_are_scoped_and_idempotent(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let pool = &mut *conn;
    let unit = units::create(pool, &name("管理学院"), UnitKind::Teaching)
        .await
        .unwrap();
    let office = units::create_office(pool, &unit, &name("会计教研室"))
        .await
        .unwrap();
    let fields = PersonFields {
        name: "李雷".into(),
        unit_id: Some(unit.clone()),
        office_id: Some(office.clone()),
        title: String::new(),
    };
    let person = people::create(pool, &StaffId::parse("2019001").unwrap(), &fields)
        .await
        .unwrap();
    let director = Role {
        kind: RoleKind::OfficeDirector,
        scope_id: Some(office.clone()),
    };
    assert!(people::grant(pool, &person, &director).await.unwrap());
    assert!(!people::grant(pool, &person, &director).await.unwrap());
    assert!(
        people::grant(pool, &person, &Role::unscoped(RoleKind::Teacher))
            .await
            .unwrap()
    );
    let grants = people::grants(pool, &person).await.unwrap();
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[0].role, RoleKind::Teacher);
    assert_eq!(grants[1].label(), "教研室主任（会计教研室）");
    assert!(people::revoke(pool, &person, &director).await.unwrap());
    assert_eq!(people::grants(pool, &person).await.unwrap().len(), 1);
}
db_test!(grants_are_scoped_and_idempotent);

async fn throttle_locks_after_limit(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let pool = &mut *conn;
    let limit = ThrottleLimit {
        max_failures: 3,
        window_ms: 60_000,
        lock_ms: 900_000,
    };
    let now = 1_000_000;
    assert_eq!(
        auth::record_failure(pool, "account:1", now, limit)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        auth::record_failure(pool, "account:1", now + 1, limit)
            .await
            .unwrap(),
        None
    );
    let locked = auth::record_failure(pool, "account:1", now + 2, limit)
        .await
        .unwrap();
    assert_eq!(locked, Some(now + 2 + 900_000));
    assert_eq!(
        auth::locked_until(pool, "account:1", now + 10)
            .await
            .unwrap(),
        locked
    );
    assert_eq!(
        auth::locked_until(pool, "account:1", now + 2 + 900_000)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        auth::locked_until(pool, "account:2", now).await.unwrap(),
        None
    );
}
db_test!(throttle_locks_after_limit);

async fn throttle_window_restarts(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let pool = &mut *conn;
    let limit = ThrottleLimit {
        max_failures: 2,
        window_ms: 1_000,
        lock_ms: 5_000,
    };
    assert_eq!(
        auth::record_failure(pool, "ip:10.0.0.1", 0, limit)
            .await
            .unwrap(),
        None
    );
    // The second failure comes after the window closed, so the count starts again.
    assert_eq!(
        auth::record_failure(pool, "ip:10.0.0.1", 5_000, limit)
            .await
            .unwrap(),
        None
    );
    assert!(
        auth::record_failure(pool, "ip:10.0.0.1", 5_500, limit)
            .await
            .unwrap()
            .is_some()
    );
}
db_test!(throttle_window_restarts);

async fn audit_log_rejects_changes(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let pool = &mut *conn;
    let entry = AuditEntry {
        entity: "unit",
        entity_id: "u1",
        action: "create",
        ..Default::default()
    };
    audit::append(pool, &Actor::system(), &entry).await.unwrap();
    let update = sqlx::query("UPDATE audit_log SET action = 'x'")
        .execute(&mut *pool)
        .await;
    assert!(update.is_err(), "an UPDATE on the audit log must fail");
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(&mut *pool)
        .await;
    assert!(delete.is_err(), "a DELETE on the audit log must fail");
    assert_eq!(
        audit::for_entity(pool, "unit", "u1").await.unwrap().len(),
        1
    );
}
db_test!(audit_log_rejects_changes);

async fn password_change_ends_sessions(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let pool = &mut *conn;
    let fields = PersonFields {
        name: "韩梅梅".into(),
        unit_id: None,
        office_id: None,
        title: String::new(),
    };
    let person = people::create(pool, &StaffId::parse("admin").unwrap(), &fields)
        .await
        .unwrap();
    auth::create_session(pool, "hash1", &person, "csrf", i64::MAX / 2)
        .await
        .unwrap();
    assert!(
        auth::find_session(pool, "hash1", 0)
            .await
            .unwrap()
            .is_some()
    );
    people::set_password_hash(pool, &person, "$argon2id$x", false)
        .await
        .unwrap();
    assert!(
        auth::find_session(pool, "hash1", 0)
            .await
            .unwrap()
            .is_none()
    );
}
db_test!(password_change_ends_sessions);
