//! The center's pages for terms and categories: creating and editing terms with the
//! seeded categories, and editing a category's rules, with the messages for bad input.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use xueshi_core::{EvidenceKind, Hours, TermCode};
use xueshi_store::testing::TestDb;
use xueshi_store::{categories, db_test, terms};

/// Builds a term code of the school year around today and dates whose window contains today.
fn term_around_today() -> (String, String, String, String) {
    let today = xueshi_web::terms::today();
    let first_year = today.year() - 1;
    let code = format!("{first_year}-{}-2", first_year + 1);
    let start = today.saturating_sub(jiff::Span::new().days(10)).to_string();
    let end = today.saturating_add(jiff::Span::new().days(30)).to_string();
    let review = today.saturating_add(jiff::Span::new().days(60)).to_string();
    (code, start, end, review)
}

async fn terms_are_created_with_categories(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut admin = app.admin().await;

    let page = app.get(&mut admin, "/admin/terms").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("建立学期"));
    assert!(
        page.text().contains("学期与类别"),
        "the navigation links the page"
    );

    let (code, start, end, review) = term_around_today();
    let created = app
        .post_form(
            &mut admin,
            "/admin/terms",
            &[
                ("code", &code),
                ("window_start", &start),
                ("window_end", &end),
                ("review_deadline", &review),
                ("required_hours", "24"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
    let location = created.location().unwrap();
    assert_eq!(location, format!("/admin/terms/{code}"));
    let detail = app.get(&mut admin, &location).await;
    let text = detail.text();
    assert!(text.contains("按默认设置建立八个"), "{text}");
    assert!(text.contains("当前学期"));
    assert!(text.contains("8. 社会实践"));
    assert!(text.contains("须有结业证书/证书或其他，并且须有培训记录"));

    let term = terms::get(
        &mut app.db.conn().await.unwrap(),
        TermCode::parse(&code).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(term.required_hours, Hours::from_whole(24));
    assert_eq!(term.window_start.to_string(), start);

    // The next term copies the categories, with the label form of the code accepted.
    let next = TermCode::parse(&code).unwrap().next();
    let next_year = next.first_year().to_string();
    let copied = app
        .post_form(
            &mut admin,
            "/admin/terms",
            &[
                ("code", &next.label()),
                ("window_start", &format!("{next_year}-09-01")),
                ("window_end", &format!("{next_year}-12-31")),
                (
                    "review_deadline",
                    &format!("{}-01-15", next.first_year() + 1),
                ),
                ("required_hours", ""),
            ],
        )
        .await;
    assert_eq!(copied.status, StatusCode::SEE_OTHER, "{}", copied.text());
    let detail = app.get(&mut admin, &copied.location().unwrap()).await;
    assert!(
        detail
            .text()
            .contains(&format!("培训类别已从{}复制", term.code.label())),
        "{}",
        detail.text()
    );

    let list = app.get(&mut admin, "/admin/terms").await.text();
    assert!(list.contains(&next.label()));
    assert!(
        list.contains("未设置"),
        "a term without required hours says so"
    );
}
db_test!(terms_are_created_with_categories);

async fn invalid_terms_are_explained(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut admin = app.admin().await;
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[
                ("code", "2025-2026-1"),
                ("window_start", "2025-10-01"),
                ("window_end", "2025-09-01"),
                ("review_deadline", "2026-01-10"),
            ],
            "提交截止日期 2025-09-01 早于提交开始日期 2025-10-01",
        ),
        (
            &[
                ("code", "2025-2026-1"),
                ("window_start", "2025-09-01"),
                ("window_end", "2025-12-31"),
                ("review_deadline", "2025-12-01"),
            ],
            "审核截止日期 2025-12-01 早于提交截止日期 2025-12-31",
        ),
        (
            &[
                ("code", "2025-2027-1"),
                ("window_start", "2025-09-01"),
                ("window_end", "2025-12-31"),
                ("review_deadline", "2026-01-10"),
            ],
            "格式不正确",
        ),
        (
            &[
                ("code", "2025-2026-1"),
                ("window_start", "2025-02-30"),
                ("window_end", "2025-12-31"),
                ("review_deadline", "2026-01-10"),
            ],
            "提交开始日期“2025-02-30”不是有效的日期",
        ),
        (
            &[
                ("code", "2025-2026-1"),
                ("window_start", "2052-09-01"),
                ("window_end", "2052-12-31"),
                ("review_deadline", "2053-01-10"),
            ],
            "请检查年份",
        ),
        (
            &[
                ("code", "2025-2026-1"),
                ("window_start", "2025-09-01"),
                ("window_end", "2025-12-31"),
                ("review_deadline", "2026-01-10"),
                ("required_hours", "十二"),
            ],
            "不是有效的学时数",
        ),
    ];
    for (fields, expected) in cases {
        let response = app.post_form(&mut admin, "/admin/terms", fields).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{expected}"
        );
        let text = response.text();
        assert!(text.contains(expected), "expected {expected:?} in {text}");
        let typed = fields[1].1;
        assert!(
            text.contains(&format!("value=\"{typed}\"")),
            "the form keeps {typed}"
        );
    }
    let stored = terms::list(&mut app.db.conn().await.unwrap())
        .await
        .unwrap();
    assert!(stored.is_empty(), "no invalid term was written");

    let valid = [
        ("code", "2025-2026-1"),
        ("window_start", "2025-09-01"),
        ("window_end", "2025-12-31"),
        ("review_deadline", "2026-01-10"),
    ];
    let created = app.post_form(&mut admin, "/admin/terms", &valid).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let again = app.post_form(&mut admin, "/admin/terms", &valid).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("已经建立"));
}
db_test!(invalid_terms_are_explained);

async fn term_dates_are_edited(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut admin = app.admin().await;
    let fields = [
        ("code", "2025-2026-1"),
        ("window_start", "2025-09-01"),
        ("window_end", "2025-12-31"),
        ("review_deadline", "2026-01-10"),
    ];
    app.post_form(&mut admin, "/admin/terms", &fields).await;

    let saved = app
        .post_form(
            &mut admin,
            "/admin/terms/2025-2026-1",
            &[
                ("window_start", "2025-09-15"),
                ("window_end", "2026-01-05"),
                ("review_deadline", "2026-01-20"),
                ("required_hours", "12.5"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let page = app.get(&mut admin, "/admin/terms/2025-2026-1").await.text();
    assert!(page.contains("的日期和学时要求已保存"));
    assert!(page.contains("value=\"2026-01-05\""));
    assert!(page.contains("value=\"12.5\""));

    let rejected = app
        .post_form(
            &mut admin,
            "/admin/terms/2025-2026-1",
            &[
                ("window_start", "2025-09-15"),
                ("window_end", "2025-09-01"),
                ("review_deadline", "2026-01-20"),
            ],
        )
        .await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(rejected.text().contains("早于提交开始日期"));
    assert!(rejected.text().contains("value=\"2025-09-01\""));
    let term = terms::get(
        &mut app.db.conn().await.unwrap(),
        TermCode::parse("2025-2026-1").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        term.window_end.to_string(),
        "2026-01-05",
        "stored dates stay"
    );

    let missing = app.get(&mut admin, "/admin/terms/2030-2031-1").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
db_test!(term_dates_are_edited);

/// Returns the fields of a valid category form, which tests change one at a time.
fn category_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "校外培训（线上线下）"),
        ("scope", "教师参加校外机构组织的培训。"),
        ("max_hours_per_claim", ""),
        ("max_hours_per_day", "6"),
        ("groups", "2"),
        ("group0", "certificate"),
        ("group0", "other"),
        ("group1", "notes"),
        ("requires_activity", "1"),
        ("min_notes_chars", "100"),
        ("scope_words", "培训、研修 课程"),
        ("action", "save"),
    ]
}

async fn category_rules_are_edited(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut admin = app.admin().await;
    app.post_form(
        &mut admin,
        "/admin/terms",
        &[
            ("code", "2025-2026-1"),
            ("window_start", "2025-09-01"),
            ("window_end", "2025-12-31"),
            ("review_deadline", "2026-01-10"),
        ],
    )
    .await;
    let path = "/admin/terms/2025-2026-1/categories/5";

    let form = app.get(&mut admin, path).await;
    assert_eq!(form.status, StatusCode::OK);
    let text = form.text();
    assert!(text.contains("第 5 类：校外培训"));
    assert!(text.contains("name=\"group0\" value=\"screenshot\" checked"));
    assert!(text.contains("name=\"group0\" value=\"photo\">"));

    let added = app
        .post_form(
            &mut admin,
            path,
            &[
                ("name", "改过的名称"),
                ("max_hours_per_day", "8"),
                ("groups", "1"),
                ("group0", "certificate"),
                ("action", "add_group"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK);
    let text = added.text();
    assert!(
        text.contains("name=\"group1\""),
        "a second group row appears"
    );
    assert!(text.contains("value=\"改过的名称\""), "typed values stay");
    assert!(text.contains("name=\"group0\" value=\"certificate\" checked"));

    let saved = app.post_form(&mut admin, path, &category_fields()).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let term = TermCode::parse("2025-2026-1").unwrap();
    let category = categories::find_by_code(&mut app.db.conn().await.unwrap(), term, 5)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(category.name, "校外培训（线上线下）");
    assert_eq!(category.rules.max_hours_per_claim, None);
    assert_eq!(category.rules.max_hours_per_day, Hours::from_whole(6));
    assert_eq!(
        category.rules.evidence.to_string(),
        "certificate|other;notes"
    );
    assert!(category.rules.requires_activity);
    assert!(!category.rules.school_accredited);
    assert_eq!(category.rules.min_notes_chars, 100);
    assert_eq!(category.rules.scope_words, ["培训", "研修", "课程"]);
    let page = app.get(&mut admin, "/admin/terms/2025-2026-1").await.text();
    assert!(page.contains("第 5 类“校外培训（线上线下）”的规则已保存"));
    assert!(page.contains("不设上限"));

    // An emptied group row is dropped instead of failing.
    let mut fields = category_fields();
    fields.retain(|(name, _)| *name != "group1");
    let saved = app.post_form(&mut admin, path, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let category = categories::find_by_code(&mut app.db.conn().await.unwrap(), term, 5)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        category.rules.evidence.groups,
        [vec![EvidenceKind::Certificate, EvidenceKind::Other]]
    );
}
db_test!(category_rules_are_edited);

async fn invalid_category_rules_are_rejected(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut admin = app.admin().await;
    app.post_form(
        &mut admin,
        "/admin/terms",
        &[
            ("code", "2025-2026-1"),
            ("window_start", "2025-09-01"),
            ("window_end", "2025-12-31"),
            ("review_deadline", "2026-01-10"),
        ],
    )
    .await;
    let path = "/admin/terms/2025-2026-1/categories/5";
    let term = TermCode::parse("2025-2026-1").unwrap();
    let before = categories::find_by_code(&mut app.db.conn().await.unwrap(), term, 5)
        .await
        .unwrap()
        .unwrap();

    let cases: [(&str, &str, &str); 7] = [
        ("group0", "photo", "通知和照片不能证明本人参加了培训"),
        ("max_hours_per_day", "25", "每日学时上限 25 无效"),
        ("max_hours_per_claim", "0", "每条申报的学时上限 0 无效"),
        ("max_hours_per_claim", "很多", "不是有效的学时数"),
        ("min_notes_chars", "-5", "培训记录最少字数“-5”无效"),
        ("name", " ", "类别名称不能为空"),
        ("name", "社会实践", "本学期第 8 类已叫“社会实践”"),
    ];
    for (field, value, expected) in cases {
        let mut fields: Vec<(&str, &str)> = category_fields()
            .into_iter()
            .filter(|(name, _)| *name != field && !(field == "group0" && name.starts_with("group")))
            .collect();
        fields.push((field, value));
        if field == "group0" {
            fields.push(("group0", "notice"));
            fields.push(("groups", "1"));
        }
        let response = app.post_form(&mut admin, path, &fields).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{expected}"
        );
        let text = response.text();
        assert!(text.contains(expected), "expected {expected:?} in {text}");
        assert!(
            text.contains("value=\"培训、研修 课程\""),
            "the form keeps the typed scope words"
        );
    }

    let no_groups: Vec<(&str, &str)> = category_fields()
        .into_iter()
        .filter(|(name, _)| !name.starts_with("group"))
        .collect();
    let response = app.post_form(&mut admin, path, &no_groups).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().contains("佐证要求不能为空"));

    let after = categories::find_by_code(&mut app.db.conn().await.unwrap(), term, 5)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after, before, "nothing was saved");

    let missing = app
        .get(&mut admin, "/admin/terms/2025-2026-1/categories/9")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
db_test!(invalid_category_rules_are_rejected);
