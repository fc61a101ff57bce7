//! Signing in and out, forced password changes, lockouts, cookies and CSRF.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, TestApp};
use xueshi_core::{Role, RoleKind};
use xueshi_store::db_test;
use xueshi_store::testing::TestDb;

async fn sign_in_and_out(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    app.person(
        "2019001",
        "张老师",
        None,
        None,
        &[Role::unscoped(RoleKind::Teacher)],
    )
    .await;
    let mut browser = app.anonymous().await;
    let response = app
        .post_form(
            &mut browser,
            "/login",
            &[("staff_id", "2019001"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(response.location().as_deref(), Some("/"));
    let cookie = response
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("xueshi_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");

    let home = app.get(&mut browser, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text().contains("您好，张老师"));

    let out = app.post_form(&mut browser, "/logout", &[]).await;
    assert_eq!(out.location().as_deref(), Some("/login"));
    let after = app.get(&mut browser, "/").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(after.location().unwrap().starts_with("/login"));
}
db_test!(sign_in_and_out);

async fn wrong_password_is_refused_in_chinese(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    app.person("2019001", "张老师", None, None, &[]).await;
    let mut browser = app.anonymous().await;
    let response = app
        .post_form(
            &mut browser,
            "/login",
            &[("staff_id", "2019001"), ("password", "wrong-password1")],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert!(response.text().contains("工号或密码不正确"));
    assert!(
        response.text().contains("value=\"2019001\""),
        "the typed staff ID is kept"
    );
    let unknown = app
        .post_form(
            &mut browser,
            "/login",
            &[("staff_id", "no-such-id"), ("password", "x")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(
        unknown.text().contains("工号或密码不正确"),
        "an unknown account reads the same as a wrong password"
    );
}
db_test!(wrong_password_is_refused_in_chinese);

async fn account_locks_after_failures(test_db: &TestDb) {
    let app = TestApp::with_config(test_db, |config| {
        config.lockout_attempts = 3;
        config.lockout_minutes = 15;
    })
    .await;
    app.person("2019001", "张老师", None, None, &[]).await;
    let mut browser = app.anonymous().await;
    for _ in 0..2 {
        let response = app
            .post_form(
                &mut browser,
                "/login",
                &[("staff_id", "2019001"), ("password", "bad-guess-1")],
            )
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    }
    let third = app
        .post_form(
            &mut browser,
            "/login",
            &[("staff_id", "2019001"), ("password", "bad-guess-1")],
        )
        .await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(third.text().contains("15 分钟后再试"), "{}", third.text());
    // Even the right password is refused while the account is locked.
    let right = app
        .post_form(
            &mut browser,
            "/login",
            &[("staff_id", "2019001"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
}
db_test!(account_locks_after_failures);

async fn address_locks_after_many_accounts_fail(test_db: &TestDb) {
    let app = TestApp::with_config(test_db, |config| {
        config.lockout_attempts = 10;
        config.ip_lockout_attempts = 4;
    })
    .await;
    app.person("2019009", "李老师", None, None, &[]).await;
    let mut browser = app.anonymous().await;
    for attempt in 0..4 {
        let staff_id = format!("9{attempt}");
        app.post_form(
            &mut browser,
            "/login",
            &[("staff_id", &staff_id), ("password", "x")],
        )
        .await;
    }
    let next = app
        .post_form(
            &mut browser,
            "/login",
            &[("staff_id", "2019009"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        next.status,
        StatusCode::TOO_MANY_REQUESTS,
        "failures from one address lock the address"
    );
}
db_test!(address_locks_after_many_accounts_fail);

async fn one_time_password_must_be_changed(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let admin = xueshi_web::bootstrap::create_first_admin(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.staff_id, "admin");
    assert!(
        xueshi_web::bootstrap::create_first_admin(&app.db)
            .await
            .unwrap()
            .is_none(),
        "only on the first start"
    );

    let mut browser = app.anonymous().await;
    let response = app
        .post_form(
            &mut browser,
            "/login",
            &[("staff_id", "admin"), ("password", &admin.password)],
        )
        .await;
    assert_eq!(response.location().as_deref(), Some("/password"));
    let page = app.get(&mut browser, "/password").await;
    assert!(page.text().contains("首次登录"));
    let blocked = app.get(&mut browser, "/admin/people").await;
    assert_eq!(
        blocked.location().as_deref(),
        Some("/password"),
        "no other page before the change"
    );

    let mismatch = app
        .post_form(
            &mut browser,
            "/password",
            &[
                ("current", &admin.password),
                ("new_password", "NewPass2026"),
                ("confirm", "Other2026x"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.text().contains("两次输入的新密码不一致"));
    let weak = app
        .post_form(
            &mut browser,
            "/password",
            &[
                ("current", &admin.password),
                ("new_password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert!(weak.text().contains("至少需要 8 个字符"));

    let changed = app
        .post_form(
            &mut browser,
            "/password",
            &[
                ("current", &admin.password),
                ("new_password", "NewPass2026"),
                ("confirm", "NewPass2026"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(changed.location().as_deref(), Some("/"));
    let people = app.get(&mut browser, "/admin/people").await;
    assert_eq!(people.status, StatusCode::OK);

    let old = app.anonymous().await;
    let mut old = old;
    let again = app
        .post_form(
            &mut old,
            "/login",
            &[("staff_id", "admin"), ("password", &admin.password)],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNAUTHORIZED,
        "the one-time password no longer works"
    );
}
db_test!(one_time_password_must_be_changed);

async fn forms_without_token_are_rejected(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut admin = app.admin().await;
    let good_token = admin.csrf.clone();
    admin.csrf = "forged".into();
    let forged = app
        .post_form(
            &mut admin,
            "/admin/units",
            &[("name", "测试学院"), ("kind", "teaching")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.text().contains("页面已过期"));

    let cookie = admin
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let cross_site = Request::builder()
        .method(Method::POST)
        .uri("/admin/units")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::HOST, "xueshi.local")
        .body(Body::from(format!(
            "name=x&kind=teaching&_csrf={good_token}"
        )))
        .unwrap();
    let response = app.send(cross_site).await;
    assert_eq!(
        response.status,
        StatusCode::FORBIDDEN,
        "another site's origin is refused even with the token"
    );

    admin.csrf = good_token;
    let ok = app
        .post_form(
            &mut admin,
            "/admin/units",
            &[("name", "测试学院"), ("kind", "teaching")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
}
db_test!(forms_without_token_are_rejected);

async fn secure_cookies_behind_https(test_db: &TestDb) {
    let app = TestApp::with_config(test_db, |config| config.secure_cookies = true).await;
    app.person("2019001", "张老师", None, None, &[]).await;
    let mut browser = app.anonymous().await;
    let response = app
        .post_form(
            &mut browser,
            "/login",
            &[("staff_id", "2019001"), ("password", PASSWORD)],
        )
        .await;
    let cookie = response
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("xueshi_session="))
        .unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
}
db_test!(secure_cookies_behind_https);

async fn teacher_gets_403_on_admin_page(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    app.person(
        "2019001",
        "张老师",
        None,
        None,
        &[Role::unscoped(RoleKind::Teacher)],
    )
    .await;
    let mut teacher = app.sign_in("2019001", PASSWORD).await;
    let response = app.get(&mut teacher, "/admin/people").await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert!(response.text().contains("无法访问"));
    assert!(response.text().contains("lang=\"zh-CN\""));
}
db_test!(teacher_gets_403_on_admin_page);

async fn deactivated_person_cannot_sign_in(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut admin = app.admin().await;
    let teacher = app.person("2019001", "张老师", None, None, &[]).await;
    let mut teacher_browser = app.sign_in("2019001", PASSWORD).await;
    let response = app
        .post_form(
            &mut admin,
            &format!("/admin/people/{teacher}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let after = app.get(&mut teacher_browser, "/").await;
    assert!(
        after.location().unwrap().starts_with("/login"),
        "the open session ended"
    );
    let mut browser = app.anonymous().await;
    let login = app
        .post_form(
            &mut browser,
            "/login",
            &[("staff_id", "2019001"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
}
db_test!(deactivated_person_cannot_sign_in);

async fn admin_resets_password_once(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let mut admin = app.admin().await;
    let teacher = app.person("2019001", "张老师", None, None, &[]).await;
    let response = app
        .post_form(
            &mut admin,
            &format!("/admin/people/{teacher}/password"),
            &[],
        )
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let text = response.text();
    let marker = "<span class=\"secret\">";
    let start = text.find(marker).expect("the one-time password is shown") + marker.len();
    let secret = &text[start..start + text[start..].find('<').unwrap()];
    assert_eq!(secret.len(), 14);
    let mut browser = app.anonymous().await;
    let login = app
        .post_form(
            &mut browser,
            "/login",
            &[("staff_id", "2019001"), ("password", secret)],
        )
        .await;
    assert_eq!(
        login.location().as_deref(),
        Some("/password"),
        "a reset password must be changed first"
    );
    let detail = app
        .get(&mut admin, &format!("/admin/people/{teacher}"))
        .await;
    assert!(
        !detail.text().contains(secret),
        "the password is shown only once"
    );
}
db_test!(admin_resets_password_once);
