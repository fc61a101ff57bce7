//! Review level by level through the pages and the API. The office director, the unit
//! reviewer and the center decide in turn, and a claim is returned, resubmitted and
//! rejected with its reason. Bad decisions get 403, 409 or 422 with nothing written,
//! batch approval skips flagged claims, and a reviewer's own claim goes to another
//! reviewer.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::school::{
    CENTER_ADMIN, DIRECTOR, OUTSIDER, School, TEACHER_A, TEACHER_B, UNIT_REVIEWER, days_from_today,
    external_training, post_claim, school, sign_in, upload, with,
};
use common::{Browser, PASSWORD, TestApp, TestResponse, school::create_claim};
use serde_json::{Value, json};
use xueshi_core::{ClaimStatus, Hours, ReviewLevel};
use xueshi_store::testing::TestDb;
use xueshi_store::{categories, claims, db_test, notifications};
use xueshi_web::demo_claims::certificate_png;

async fn token(app: &TestApp, staff_id: &str) -> String {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/token")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "staff_id": staff_id, "password": PASSWORD }).to_string(),
        ))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()["token"].as_str().unwrap().to_owned()
}

async fn api(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> TestResponse {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(json) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    app.send(builder.body(body).unwrap()).await
}

async fn claim(app: &TestApp, id: &str) -> claims::ClaimDetail {
    claims::get(&mut app.db.conn().await.unwrap(), id)
        .await
        .unwrap()
}

async fn decision_count(app: &TestApp, id: &str) -> usize {
    claims::history(&mut app.db.conn().await.unwrap(), id)
        .await
        .unwrap()
        .len()
}

/// Creates an external training with its certificate, submits it and returns its id.
async fn submitted_claim(
    app: &TestApp,
    browser: &mut Browser,
    fields: &[(&'static str, String)],
    certificate_seed: u32,
) -> String {
    let id = create_claim(app, browser, fields).await;
    let uploaded = upload(
        app,
        browser,
        &id,
        "证书.png",
        &certificate_png(certificate_seed),
        "certificate",
    )
    .await;
    assert_eq!(
        uploaded.status,
        StatusCode::SEE_OTHER,
        "{}",
        uploaded.text()
    );
    let version = claim(app, &id).await.version.to_string();
    let submitted = app
        .post_form(
            browser,
            &format!("/claims/{id}/submit"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.text()
    );
    assert_eq!(claim(app, &id).await.status, ClaimStatus::Pending);
    id
}

async fn training(
    app: &TestApp,
    school: &School,
    browser: &mut Browser,
    topic: &str,
    seed: u32,
) -> String {
    let fields = external_training(school.term.code, topic);
    submitted_claim(app, browser, &fields, seed).await
}

/// Posts the review page's decision form with the claim's current version.
async fn decide_form(
    app: &TestApp,
    browser: &mut Browser,
    id: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
    let page = app.get(browser, &format!("/reviews/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let version = claim(app, id).await.version.to_string();
    let mut all = fields.to_vec();
    all.push(("version", &version));
    app.post_form(browser, &format!("/reviews/{id}/decision"), &all)
        .await
}

async fn three_levels_accredit_a_claim(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let id = training(
        &app,
        &school,
        &mut teacher,
        "高校教师教学能力提升网络培训",
        1,
    )
    .await;

    let mut director = sign_in(&app, DIRECTOR).await;
    let queue = app.get(&mut director, "/reviews").await;
    assert!(queue.text().contains("高校教师教学能力提升网络培训"));
    let approved = decide_form(&app, &mut director, &id, &[("decision", "approve")]).await;
    assert_eq!(
        approved.status,
        StatusCode::SEE_OTHER,
        "{}",
        approved.text()
    );
    assert_eq!(claim(&app, &id).await.level, Some(ReviewLevel::Unit));

    let mut unit_reviewer = sign_in(&app, UNIT_REVIEWER).await;
    let approved = decide_form(
        &app,
        &mut unit_reviewer,
        &id,
        &[("decision", "approve"), ("accredited_hours", "10")],
    )
    .await;
    assert_eq!(
        approved.status,
        StatusCode::SEE_OTHER,
        "{}",
        approved.text()
    );
    assert_eq!(claim(&app, &id).await.level, Some(ReviewLevel::School));

    let mut center = sign_in(&app, CENTER_ADMIN).await;
    let approved = decide_form(
        &app,
        &mut center,
        &id,
        &[("decision", "approve"), ("accredited_hours", "10")],
    )
    .await;
    assert_eq!(
        approved.status,
        StatusCode::SEE_OTHER,
        "{}",
        approved.text()
    );

    let stored = claim(&app, &id).await;
    assert_eq!(stored.status, ClaimStatus::Accredited);
    assert_eq!(stored.accredited_hours, Some(Hours::from_whole(10)));
    assert_eq!(decision_count(&app, &id).await, 3);
    let list = app.get(&mut teacher, "/claims").await;
    let text = list.text();
    assert!(text.contains("已认定"), "{text}");
    assert!(text.contains("认定 <b>10</b> 学时"), "{text}");
    let notices = app.get(&mut teacher, "/notifications").await;
    assert!(
        notices.text().contains("认定 10 学时"),
        "{}",
        notices.text()
    );
}
db_test!(three_levels_accredit_a_claim);

async fn returned_claim_is_rejected_at_school(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let fields = external_training(school.term.code, "全国高校教师教学竞赛观摩培训");
    let id = submitted_claim(&app, &mut teacher, &fields, 2).await;

    let mut director = sign_in(&app, DIRECTOR).await;
    let returned = decide_form(
        &app,
        &mut director,
        &id,
        &[
            ("decision", "return"),
            ("comment", "请补充培训记录，写明每次学习的内容。"),
        ],
    )
    .await;
    assert_eq!(
        returned.status,
        StatusCode::SEE_OTHER,
        "{}",
        returned.text()
    );
    assert_eq!(claim(&app, &id).await.status, ClaimStatus::Returned);
    let home = app.get(&mut teacher, "/").await;
    assert!(home.text().contains("您有 1 条未读通知"), "{}", home.text());
    // Opening the returned claim shows the comment and reads its notice.
    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    assert!(page.text().contains("请补充培训记录"), "{}", page.text());
    assert!(!page.text().contains("条未读"), "{}", page.text());
    let mut conn = app.db.conn().await.unwrap();
    let unread = notifications::count_unread(&mut conn, &school.teacher_a)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(unread, 0);

    // The teacher edits the claim and submits it again: it starts at the office again.
    let version = claim(&app, &id).await.version.to_string();
    let mut edited = with(
        fields,
        "notes",
        "第一天：课程思政案例分析与教学设计。第二天：观摩竞赛获奖教师示范课并分组研讨。",
    );
    edited.push(("version", version));
    let saved = post_claim(&app, &mut teacher, &format!("/claims/{id}"), &edited).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let version = claim(&app, &id).await.version.to_string();
    let resubmitted = app
        .post_form(
            &mut teacher,
            &format!("/claims/{id}/submit"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(
        resubmitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        resubmitted.text()
    );
    let stored = claim(&app, &id).await;
    assert_eq!(stored.status, ClaimStatus::Pending);
    assert_eq!(stored.level, Some(ReviewLevel::Office));
    assert_eq!(stored.round, 2);

    let approved = decide_form(&app, &mut director, &id, &[("decision", "approve")]).await;
    assert_eq!(
        approved.status,
        StatusCode::SEE_OTHER,
        "{}",
        approved.text()
    );
    let unit_token = token(&app, UNIT_REVIEWER).await;
    let version = claim(&app, &id).await.version;
    let response = api(
        &app,
        Method::POST,
        &format!("/api/v1/claims/{id}/decisions"),
        &unit_token,
        Some(json!({ "decision": "approve", "version": version })),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json()["level"], "school");

    let center_token = token(&app, CENTER_ADMIN).await;
    let response = api(
        &app,
        Method::POST,
        &format!("/api/v1/claims/{id}/decisions"),
        &center_token,
        Some(json!({
            "decision": "reject",
            "reason_code": "insufficient_evidence",
            "comment": "证书上的培训名称与申报主题不一致。",
            "version": version + 1,
        })),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!(body["status"], "rejected");
    assert_eq!(body["decided_level"], "school");
    assert_eq!(body["version"], version + 2);

    let stored = claim(&app, &id).await;
    assert_eq!(stored.status, ClaimStatus::Rejected);
    assert_eq!(stored.reason_label.as_deref(), Some("佐证不足"));

    // The teacher got a notification of the return, read above, and of the rejection
    // with its reason.
    let home = app.get(&mut teacher, "/").await;
    assert!(home.text().contains("您有 1 条未读通知"), "{}", home.text());
    assert!(
        home.text().contains("aria-label=\"1 条未读\""),
        "{}",
        home.text()
    );
    let notices = app.get(&mut teacher, "/notifications").await;
    let text = notices.text();
    let rejection = text
        .find("原因：佐证不足")
        .expect("the rejection is listed");
    let return_notice = text
        .find("退回修改，请修改后重新提交")
        .expect("the return is listed");
    assert!(rejection < return_notice, "newest first: {text}");
    assert!(text.contains(&format!("/claims/{id}")), "{text}");

    let mut conn = app.db.conn().await.unwrap();
    let list = notifications::list(&mut conn, &school.teacher_a, true)
        .await
        .unwrap();
    drop(conn);
    let read = app
        .post_form(
            &mut teacher,
            &format!("/notifications/{}/read", list[0].id),
            &[],
        )
        .await;
    assert_eq!(read.status, StatusCode::SEE_OTHER);
    let home = app.get(&mut teacher, "/").await;
    assert!(!home.text().contains("条未读"), "{}", home.text());
    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    assert!(
        page.text().contains("未通过原因：佐证不足"),
        "{}",
        page.text()
    );
    let all = app
        .post_form(&mut teacher, "/notifications/read-all", &[])
        .await;
    assert_eq!(all.status, StatusCode::SEE_OTHER);
    let home = app.get(&mut teacher, "/").await;
    assert!(!home.text().contains("条未读"), "{}", home.text());

    // Another person cannot mark the teacher's notifications.
    let mut other = sign_in(&app, TEACHER_B).await;
    let mut conn = app.db.conn().await.unwrap();
    let before = notifications::count_unread(&mut conn, &school.teacher_a)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(before, 0);
    let notices = app.get(&mut other, "/notifications").await;
    assert!(notices.text().contains("还没有通知"), "{}", notices.text());
}
db_test!(returned_claim_is_rejected_at_school);

/// Asserts that a claim is still pending at the office with no decision.
async fn assert_unchanged(app: &TestApp, id: &str, version: i64) {
    let stored = claim(app, id).await;
    assert_eq!(stored.version, version);
    assert_eq!(stored.status, ClaimStatus::Pending);
    assert_eq!(stored.level, Some(ReviewLevel::Office));
    assert_eq!(decision_count(app, id).await, 0);
}

async fn bad_api_decisions_change_nothing(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let id = training(
        &app,
        &school,
        &mut teacher,
        "高校教师心理健康教育专题培训",
        3,
    )
    .await;
    let version = claim(&app, &id).await.version;
    // A claim of another unit, which has no office and no unit reviewer, so it waits at
    // school level.
    let mut outsider = sign_in(&app, OUTSIDER).await;
    let other = training(
        &app,
        &school,
        &mut outsider,
        "财经类课程教学改革研讨培训",
        4,
    )
    .await;
    let other_version = claim(&app, &other).await.version;
    let path = format!("/api/v1/claims/{id}/decisions");
    let director = token(&app, DIRECTOR).await;

    // 422 with a Chinese message for each broken rule; nothing is written.
    let cases = [
        (
            json!({ "decision": "approve", "accredited_hours": "20", "version": version }),
            "超过申报学时",
        ),
        (
            json!({ "decision": "approve", "accredited_hours": 0.3, "version": version }),
            "0.5",
        ),
        (
            json!({ "decision": "reject", "comment": "材料不全", "version": version }),
            "未通过原因",
        ),
        (
            json!({ "decision": "return", "comment": "  ", "version": version }),
            "请填写审核意见",
        ),
        (
            json!({ "decision": "maybe", "version": version }),
            "审核决定",
        ),
    ];
    for (body, expected) in cases {
        let response = api(&app, Method::POST, &path, &director, Some(body.clone())).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            response.text()
        );
        let json = response.json();
        assert_eq!(json["code"], "invalid");
        let message = json["message"].as_str().unwrap();
        assert!(message.contains(expected), "{body}: {message}");
        assert_unchanged(&app, &id, version).await;
    }

    // Above the category's cap, lowered after the claim was submitted.
    let mut conn = app.db.conn().await.unwrap();
    let category = categories::find_by_code(&mut conn, school.term.code, 5)
        .await
        .unwrap()
        .unwrap();
    let mut rules = category.rules.clone();
    rules.max_hours_per_claim = Some(Hours::from_whole(10));
    categories::update(
        &mut conn,
        &category.id,
        &category.name,
        &category.scope,
        &rules,
    )
    .await
    .unwrap();
    drop(conn);
    let response = api(
        &app,
        Method::POST,
        &path,
        &director,
        Some(json!({ "decision": "approve", "version": version })),
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.text()
    );
    assert!(response.json()["message"].as_str().unwrap().contains("10"));
    assert_unchanged(&app, &id, version).await;

    // 403: the unit reviewer is not the reviewer of the office level.
    let unit_reviewer = token(&app, UNIT_REVIEWER).await;
    let response = api(
        &app,
        Method::POST,
        &path,
        &unit_reviewer,
        Some(json!({ "decision": "approve", "accredited_hours": "8", "version": version })),
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::FORBIDDEN,
        "{}",
        response.text()
    );
    assert_unchanged(&app, &id, version).await;

    // 403: a claim of another unit is outside the director's scope.
    let response = api(
        &app,
        Method::POST,
        &format!("/api/v1/claims/{other}/decisions"),
        &director,
        Some(json!({ "decision": "approve", "accredited_hours": "8", "version": other_version })),
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::FORBIDDEN,
        "{}",
        response.text()
    );
    assert!(
        response.json()["message"]
            .as_str()
            .unwrap()
            .contains("审核范围")
    );
    assert_eq!(claim(&app, &other).await.version, other_version);
    assert_eq!(decision_count(&app, &other).await, 0);

    // 409 on a stale version, with the Chinese conflict message.
    let response = api(
        &app,
        Method::POST,
        &path,
        &director,
        Some(json!({ "decision": "approve", "accredited_hours": "8", "version": version - 1 })),
    )
    .await;
    assert_eq!(response.status, StatusCode::CONFLICT, "{}", response.text());
    let json = response.json();
    assert_eq!(json["code"], "conflict");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("其他审核人已先处理")
    );
    assert_unchanged(&app, &id, version).await;

    // The same version that succeeds once is stale the second time.
    let body = json!({ "decision": "approve", "accredited_hours": "8", "version": version });
    let first = api(&app, Method::POST, &path, &director, Some(body.clone())).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.json()["accredited_hours"], Value::Null);
    let second = api(&app, Method::POST, &path, &director, Some(body)).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.text());
    assert_eq!(decision_count(&app, &id).await, 1);
}
db_test!(bad_api_decisions_change_nothing);

async fn bad_form_decisions_change_nothing(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let id = training(&app, &school, &mut teacher, "高校教师信息化教学能力培训", 5).await;
    let version = claim(&app, &id).await.version;
    let mut director = sign_in(&app, DIRECTOR).await;

    let cases: [(&[(&str, &str)], &str); 3] = [
        (
            &[("decision", "approve"), ("accredited_hours", "13")],
            "超过申报学时",
        ),
        (
            &[("decision", "reject"), ("reason_code", "")],
            "请从列表中选择未通过原因",
        ),
        (
            &[("decision", "return"), ("comment", "")],
            "退回修改时请填写审核意见",
        ),
    ];
    for (fields, expected) in cases {
        let response = decide_form(&app, &mut director, &id, fields).await;
        assert_eq!(
            response.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}"
        );
        assert!(
            response.text().contains(expected),
            "{fields:?}: {}",
            response.text()
        );
        assert_unchanged(&app, &id, version).await;
    }

    let stale = (version - 1).to_string();
    let response = app
        .post_form(
            &mut director,
            &format!("/reviews/{id}/decision"),
            &[("decision", "approve"), ("version", &stale)],
        )
        .await;
    assert_eq!(response.status, StatusCode::CONFLICT);
    assert!(
        response.text().contains("其他审核人已先处理"),
        "{}",
        response.text()
    );
    assert_unchanged(&app, &id, version).await;

    let mut unit_reviewer = sign_in(&app, UNIT_REVIEWER).await;
    let current = version.to_string();
    let response = app
        .post_form(
            &mut unit_reviewer,
            &format!("/reviews/{id}/decision"),
            &[("decision", "approve"), ("version", &current)],
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::FORBIDDEN,
        "{}",
        response.text()
    );
    assert_unchanged(&app, &id, version).await;
}
db_test!(bad_form_decisions_change_nothing);

async fn batch_skips_flagged_claims(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher_a = sign_in(&app, TEACHER_A).await;
    let mut teacher_b = sign_in(&app, TEACHER_B).await;
    // Two colleagues upload the same certificate, so both claims carry a flag.
    let first = training(&app, &school, &mut teacher_a, "高校课程思政专题网络培训", 7).await;
    let second = training(&app, &school, &mut teacher_b, "课程思政建设专题研修", 7).await;
    let fields = with(
        with(
            external_training(school.term.code, "高校实验室安全管理培训"),
            "start_date",
            &days_from_today(-5).to_string(),
        ),
        "end_date",
        &days_from_today(-5).to_string(),
    );
    let clean = submitted_claim(&app, &mut teacher_b, &with(fields, "claimed_hours", "6"), 8).await;
    assert!(!claim(&app, &first).await.flags.is_empty());
    assert!(!claim(&app, &second).await.flags.is_empty());
    assert!(
        claim(&app, &clean).await.flags.is_empty(),
        "{:?}",
        claim(&app, &clean).await.flags
    );

    let mut director = sign_in(&app, DIRECTOR).await;
    let queue = app.get(&mut director, "/reviews?level=office").await;
    assert_eq!(queue.status, StatusCode::OK);
    let mut selected = Vec::new();
    for id in [&first, &second, &clean] {
        selected.push(format!("{id}:{}", claim(&app, id).await.version));
    }
    let mut fields: Vec<(&str, &str)> = selected
        .iter()
        .map(|value| ("claim", value.as_str()))
        .collect();
    fields.push(("queue", "level=office"));
    let response = app
        .post_form(&mut director, "/reviews/batch", &fields)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert!(
        response.text().contains("不能批量通过"),
        "{}",
        response.text()
    );

    let approved = claim(&app, &clean).await;
    assert_eq!(approved.level, Some(ReviewLevel::Unit));
    let history = claims::history(&mut app.db.conn().await.unwrap(), &clean)
        .await
        .unwrap();
    assert_eq!(history.len(), 1, "one decision per approved claim");
    assert_eq!(history[0].accredited_hours, Some(Hours::from_whole(6)));
    for id in [&first, &second] {
        let stored = claim(&app, id).await;
        assert_eq!(stored.level, Some(ReviewLevel::Office));
        assert_eq!(decision_count(&app, id).await, 0);
    }
}
db_test!(batch_skips_flagged_claims);

async fn reviewer_never_sees_own_claim(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    // The office director teaches too; their claim skips the office level.
    let mut director = sign_in(&app, DIRECTOR).await;
    let own = training(&app, &school, &mut director, "声乐教学法高级研修班", 9).await;
    assert_eq!(claim(&app, &own).await.level, Some(ReviewLevel::Unit));
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let colleague = training(&app, &school, &mut teacher, "合唱指挥专题培训", 10).await;

    for query in ["", "?status=pending", "?status=pending&teacher=2001100"] {
        let page = app.get(&mut director, &format!("/reviews{query}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.text().contains("声乐教学法高级研修班"), "{query}");
    }
    let page = app.get(&mut director, "/reviews?status=pending").await;
    assert!(page.text().contains("合唱指挥专题培训"));
    let page = app.get(&mut director, &format!("/reviews/{own}")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let director_token = token(&app, DIRECTOR).await;
    let response = api(
        &app,
        Method::GET,
        "/api/v1/reviews/queue?status=pending",
        &director_token,
        None,
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    let ids: Vec<&str> = body["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [colleague.as_str()]);
    let version = claim(&app, &own).await.version;
    let response = api(
        &app,
        Method::POST,
        &format!("/api/v1/claims/{own}/decisions"),
        &director_token,
        Some(json!({ "decision": "approve", "version": version })),
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::FORBIDDEN,
        "{}",
        response.text()
    );
    assert!(
        response.json()["message"]
            .as_str()
            .unwrap()
            .contains("本人的申报")
    );
    assert_eq!(decision_count(&app, &own).await, 0);

    // The unit reviewer's queue lists it.
    let unit_token = token(&app, UNIT_REVIEWER).await;
    let response = api(
        &app,
        Method::GET,
        "/api/v1/reviews/queue?level=unit",
        &unit_token,
        None,
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!(body["level"], "unit");
    assert_eq!(body["total"], 1);
    assert_eq!(body["claims"][0]["id"], own.as_str());
    assert_eq!(body["claims"][0]["teacher_staff_id"], DIRECTOR);
}
db_test!(reviewer_never_sees_own_claim);

async fn api_queue_filters_like_the_page(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher_a = sign_in(&app, TEACHER_A).await;
    let mut teacher_b = sign_in(&app, TEACHER_B).await;
    let first = training(
        &app,
        &school,
        &mut teacher_a,
        "高校教师教学科研能力提升培训",
        11,
    )
    .await;
    training(&app, &school, &mut teacher_b, "高校辅导员职业能力培训", 12).await;
    let director = token(&app, DIRECTOR).await;

    let response = api(&app, Method::GET, "/api/v1/reviews/queue", &director, None).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!(body["level"], "office");
    assert_eq!(body["total"], 2);
    assert_eq!(body["page_size"], 50);

    let response = api(
        &app,
        Method::GET,
        &format!("/api/v1/reviews/queue?teacher={TEACHER_A}&category=5&page_size=1"),
        &director,
        None,
    )
    .await;
    let body = response.json();
    assert_eq!(body["total"], 1);
    let row = &body["claims"][0];
    assert_eq!(row["id"], first.as_str());
    assert_eq!(row["claimed_hours"], "12.5");
    assert_eq!(row["status_label"], "待教研室审核");
    assert_eq!(row["version"], claim(&app, &first).await.version);

    let bad = [
        ("sort=name", StatusCode::UNPROCESSABLE_ENTITY, "排序方式"),
        ("category=9", StatusCode::UNPROCESSABLE_ENTITY, "培训类别"),
        (
            "from=2025-13-01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "开始日期",
        ),
        (
            "page_size=500",
            StatusCode::UNPROCESSABLE_ENTITY,
            "每页条数",
        ),
        ("level=school", StatusCode::FORBIDDEN, "学校"),
    ];
    for (query, status, expected) in bad {
        let response = api(
            &app,
            Method::GET,
            &format!("/api/v1/reviews/queue?{query}"),
            &director,
            None,
        )
        .await;
        assert_eq!(response.status, status, "{query}: {}", response.text());
        let message = response.json()["message"].as_str().unwrap().to_owned();
        assert!(message.contains(expected), "{query}: {message}");
    }

    // Both routes are in the OpenAPI document.
    let response = app
        .send(
            Request::get("/api/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let paths = &response.json()["paths"];
    assert!(paths["/api/v1/claims/{id}/decisions"]["post"].is_object());
    assert!(paths["/api/v1/reviews/queue"]["get"]["parameters"].is_array());
}
db_test!(api_queue_filters_like_the_page);

async fn center_edits_rejection_reasons(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut center = sign_in(&app, CENTER_ADMIN).await;
    let page = app.get(&mut center, "/admin/reasons").await;
    assert_eq!(page.status, StatusCode::OK);
    for label in [
        "不在认定范围",
        "佐证不足",
        "学校认定项目",
        "重复填报",
        "其他",
    ] {
        assert!(page.text().contains(label), "{label}");
    }
    assert!(
        page.text().contains("href=\"/admin/reasons\""),
        "the navigation links the page"
    );

    let added = app
        .post_form(
            &mut center,
            "/admin/reasons",
            &[
                ("code", "outside_term"),
                ("label", "培训时间不在本学期"),
                ("sort_order", ""),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text());
    let bad = app
        .post_form(
            &mut center,
            "/admin/reasons",
            &[("code", "Bad Code"), ("label", "名称"), ("sort_order", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text().contains("原因代码“Bad Code”无效"),
        "{}",
        bad.text()
    );
    let duplicate = app
        .post_form(
            &mut center,
            "/admin/reasons",
            &[
                ("code", "outside_term"),
                ("label", "重复"),
                ("sort_order", ""),
            ],
        )
        .await;
    assert!(
        duplicate.text().contains("已被使用"),
        "{}",
        duplicate.text()
    );

    let renamed = app
        .post_form(
            &mut center,
            "/admin/reasons/outside_term",
            &[("label", "培训不在本学期"), ("sort_order", "5")],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let mut conn = app.db.conn().await.unwrap();
    let reasons = xueshi_store::reasons::list_active(&mut conn).await.unwrap();
    assert_eq!(reasons[0].code, "outside_term");
    assert_eq!(reasons[0].label, "培训不在本学期");
    drop(conn);

    // A deactivated reason leaves the reviewers' list and can come back.
    let off = app
        .post_form(
            &mut center,
            "/admin/reasons/duplicate/active",
            &[("active", "0")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let id = training(&app, &school, &mut teacher, "高校教师礼仪与沟通培训", 13).await;
    let mut director = sign_in(&app, DIRECTOR).await;
    let review = app.get(&mut director, &format!("/reviews/{id}")).await;
    assert!(!review.text().contains("重复填报"));
    assert!(review.text().contains("培训不在本学期"));
    let on = app
        .post_form(
            &mut center,
            "/admin/reasons/duplicate/active",
            &[("active", "1")],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    let review = app.get(&mut director, &format!("/reviews/{id}")).await;
    assert!(review.text().contains("重复填报"));

    let missing = app
        .post_form(
            &mut center,
            "/admin/reasons/no_such_reason",
            &[("label", "名称"), ("sort_order", "")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
db_test!(center_edits_rejection_reasons);
