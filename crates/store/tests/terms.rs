//! Terms, their categories and the rejection reasons on both backends.

use jiff::civil::date;
use xueshi_core::category::default_categories;
use xueshi_core::reason::codes;
use xueshi_core::{Hours, TermCode};
use xueshi_store::categories::{self, UpdateError};
use xueshi_store::terms::{self, CategorySeed, Term};
use xueshi_store::testing::TestDb;
use xueshi_store::{StoreError, db_test, reasons};

fn term(code: &str, start: (i16, i8, i8), end: (i16, i8, i8)) -> Term {
    Term {
        code: TermCode::parse(code).unwrap(),
        window_start: date(start.0, start.1, start.2),
        window_end: date(end.0, end.1, end.2),
        review_deadline: date(end.0, end.1, end.2),
        required_hours: Hours::from_whole(40),
    }
}

async fn first_term_gets_default_categories(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let autumn = term("2025-2026-1", (2025, 9, 1), (2026, 1, 20));
    let seed = terms::create(&mut conn, &autumn).await.unwrap();
    assert_eq!(seed, CategorySeed::Defaults);

    let stored = categories::list_for_term(&mut conn, autumn.code)
        .await
        .unwrap();
    let defaults = default_categories();
    assert_eq!(stored.len(), defaults.len());
    for (category, default) in stored.iter().zip(&defaults) {
        assert_eq!(category.code, default.code);
        assert_eq!(category.name, default.name);
        assert_eq!(category.rules, default.rules, "category {}", default.code);
    }
    assert_eq!(terms::get(&mut conn, autumn.code).await.unwrap(), autumn);
    let again = terms::create(&mut conn, &autumn).await;
    assert!(matches!(again, Err(StoreError::Unique(_))), "{again:?}");
}
db_test!(first_term_gets_default_categories);

async fn next_term_copies_edited_categories(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let autumn = term("2025-2026-1", (2025, 9, 1), (2026, 1, 20));
    terms::create(&mut conn, &autumn).await.unwrap();
    let external = categories::find_by_code(&mut conn, autumn.code, 5)
        .await
        .unwrap()
        .unwrap();
    let mut rules = external.rules.clone();
    rules.max_hours_per_claim = Some(Hours::from_whole(24));
    categories::update(
        &mut conn,
        &external.id,
        "校外培训（含线上）",
        &external.scope,
        &rules,
    )
    .await
    .unwrap();

    let spring = term("2025-2026-2", (2026, 3, 1), (2026, 7, 10));
    let seed = terms::create(&mut conn, &spring).await.unwrap();
    assert_eq!(seed, CategorySeed::CopiedFrom(autumn.code));
    let copied = categories::find_by_code(&mut conn, spring.code, 5)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(copied.id, external.id);
    assert_eq!(copied.name, "校外培训（含线上）");
    assert_eq!(
        copied.rules.max_hours_per_claim,
        Some(Hours::from_whole(24))
    );
    assert_eq!(
        categories::list_for_term(&mut conn, spring.code)
            .await
            .unwrap()
            .len(),
        8
    );
}
db_test!(next_term_copies_edited_categories);

async fn invalid_category_rules_not_saved(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let autumn = term("2025-2026-1", (2025, 9, 1), (2026, 1, 20));
    terms::create(&mut conn, &autumn).await.unwrap();
    let category = categories::find_by_code(&mut conn, autumn.code, 1)
        .await
        .unwrap()
        .unwrap();
    let mut rules = category.rules.clone();
    rules.max_hours_per_day = Hours::ZERO;
    let result = categories::update(&mut conn, &category.id, "新名称", "", &rules).await;
    assert!(matches!(result, Err(UpdateError::Invalid(_))), "{result:?}");
    let stored = categories::get(&mut conn, &category.id).await.unwrap();
    assert_eq!(stored, category);

    let missing = categories::update(&mut conn, "no-such-id", "名称", "", &category.rules).await;
    assert!(
        matches!(missing, Err(UpdateError::Store(StoreError::NotFound))),
        "{missing:?}"
    );
}
db_test!(invalid_category_rules_not_saved);

async fn current_term_follows_today(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let autumn = term("2025-2026-1", (2025, 9, 1), (2026, 1, 20));
    let spring = term("2025-2026-2", (2026, 3, 1), (2026, 7, 10));
    terms::create(&mut conn, &autumn).await.unwrap();
    terms::create(&mut conn, &spring).await.unwrap();

    let cases = [
        (date(2025, 8, 31), None),
        (date(2025, 9, 1), Some(autumn.code)),
        (date(2026, 1, 20), Some(autumn.code)),
        // Between two windows the term that started last is current.
        (date(2026, 2, 15), Some(autumn.code)),
        (date(2026, 3, 1), Some(spring.code)),
        (date(2026, 9, 1), Some(spring.code)),
    ];
    for (today, expected) in cases {
        let current = terms::current(&mut conn, today).await.unwrap();
        assert_eq!(current.map(|term| term.code), expected, "on {today}");
    }

    let listed: Vec<TermCode> = terms::list(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|term| term.code)
        .collect();
    assert_eq!(listed, [spring.code, autumn.code]);
}
db_test!(current_term_follows_today);

async fn term_update_changes_dates(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let mut autumn = term("2025-2026-1", (2025, 9, 1), (2026, 1, 20));
    terms::create(&mut conn, &autumn).await.unwrap();
    autumn.window_end = date(2026, 1, 31);
    autumn.required_hours = Hours::from_tenths(325);
    terms::update(&mut conn, &autumn).await.unwrap();
    assert_eq!(terms::get(&mut conn, autumn.code).await.unwrap(), autumn);

    let unknown = term("2030-2031-1", (2030, 9, 1), (2031, 1, 20));
    let missing = terms::update(&mut conn, &unknown).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let missing = terms::get(&mut conn, unknown.code).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
}
db_test!(term_update_changes_dates);

async fn reason_seeding_is_idempotent(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    assert_eq!(reasons::seed_defaults(&mut conn).await.unwrap(), 9);
    sqlx::query("UPDATE rejection_reasons SET label = '重复申报', active = 1 WHERE code = $1")
        .bind(codes::DUPLICATE)
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("UPDATE rejection_reasons SET active = 0 WHERE code = $1")
        .bind(codes::BUNDLED)
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(reasons::seed_defaults(&mut conn).await.unwrap(), 0);

    let active = reasons::list_active(&mut conn).await.unwrap();
    assert_eq!(active.len(), 8);
    assert_eq!(active[0].code, codes::OUT_OF_SCOPE);
    assert!(active.iter().all(|reason| reason.code != codes::BUNDLED));
    let duplicate = active
        .iter()
        .find(|reason| reason.code == codes::DUPLICATE)
        .unwrap();
    assert_eq!(duplicate.label, "重复申报");
    assert_eq!(
        reasons::label(&mut conn, codes::BUNDLED).await.unwrap(),
        "一条记录包含多项培训"
    );
}
db_test!(reason_seeding_is_idempotent);
