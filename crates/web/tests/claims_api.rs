//! The claims API: drafts with a preview of the checks, evidence uploads, submission with
//! its 422 body, withdrawal, and who may read a claim.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::school::{
    DIRECTOR, OUTSIDER, TEACHER_A, TEACHER_B, days_from_today, school, term_with_window,
};
use common::{PASSWORD, TestApp, TestResponse};
use serde_json::{Value, json};
use xueshi_core::TermCode;
use xueshi_store::testing::TestDb;
use xueshi_store::{claims, db_test};
use xueshi_web::demo_claims::{certificate_png, tiny_pdf};

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> TestResponse {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let body = match body {
        Some(json) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    app.send(builder.body(body).unwrap()).await
}

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

/// Uploads one file with its kind as the API's multipart form.
async fn upload(
    app: &TestApp,
    token: &str,
    claim_id: &str,
    file_name: &str,
    bytes: &[u8],
    kind: &str,
) -> TestResponse {
    let boundary = "xueshi-api-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/claims/{claim_id}/evidence"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

/// Builds the body of the API's example: an external training of two days.
fn external_training(term: TermCode, topic: &str, hours: &str) -> Value {
    json!({
        "term": term.to_string(),
        "category": 5,
        "topic": topic,
        "organizer": "教育部高等教育司",
        "start_date": days_from_today(-10).to_string(),
        "end_date": days_from_today(-9).to_string(),
        "mode": "offline",
        "claimed_hours": hours,
        "notes": "",
        "activity_id": null
    })
}

fn codes(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["code"].as_str().unwrap())
        .collect()
}

async fn draft_upload_submit_over_api(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let teacher = token(&app, TEACHER_A).await;
    let body = external_training(
        school.term.code,
        "2025年高校课程思政教学能力提升专题培训",
        "12.5",
    );

    let created = call(
        &app,
        Method::POST,
        "/api/v1/claims",
        &teacher,
        &[("Idempotency-Key", "k-1")],
        Some(body.clone()),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let json = created.json();
    let id = json["id"].as_str().unwrap().to_owned();
    assert_eq!(json["created"], true);
    assert_eq!(codes(&json["blocking"]), ["evidence_missing"]);

    // The same key returns the same claim.
    let repeated = call(
        &app,
        Method::POST,
        "/api/v1/claims",
        &teacher,
        &[("Idempotency-Key", "k-1")],
        Some(body),
    )
    .await;
    assert_eq!(repeated.status, StatusCode::OK);
    assert_eq!(repeated.json()["id"], id.as_str());
    assert_eq!(repeated.json()["created"], false);

    let uploaded = upload(
        &app,
        &teacher,
        &id,
        "结业证书.png",
        &certificate_png(1),
        "certificate",
    )
    .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text());
    let file = uploaded.json();
    assert_eq!(file["kind"], "certificate");
    assert_eq!(file["file_type"], "png");
    assert_eq!(file["file_name"], "结业证书.png");

    let download = call(
        &app,
        Method::GET,
        file["download_url"].as_str().unwrap(),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body, certificate_png(1));
    assert_eq!(download.headers[header::CONTENT_TYPE], "image/png");

    let submitted = call(
        &app,
        Method::POST,
        &format!("/api/v1/claims/{id}/submit"),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text());
    let json = submitted.json();
    assert_eq!(json["status"], "pending");
    assert_eq!(json["level"], "office");
    assert_eq!(json["status_label"], "待教研室审核");
    assert_eq!(json["submitted"], true);

    let again = call(
        &app,
        Method::POST,
        &format!("/api/v1/claims/{id}/submit"),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["submitted"], false);

    let read = call(
        &app,
        Method::GET,
        &format!("/api/v1/claims/{id}"),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
    let json = read.json();
    assert_eq!(json["claimed_hours"], "12.5");
    assert_eq!(json["round"], 1);
    assert_eq!(json["evidence"].as_array().unwrap().len(), 1);

    let list = call(
        &app,
        Method::GET,
        &format!("/api/v1/claims?term={}", school.term.code),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    let json = list.json();
    assert_eq!(json["claims"].as_array().unwrap().len(), 1);
    assert_eq!(json["hours"]["claimed"], "12.5");
    assert_eq!(json["hours"]["required"], "24");
}
db_test!(draft_upload_submit_over_api);

async fn blocked_submit_lists_each_rule(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let teacher = token(&app, TEACHER_A).await;
    let day = days_from_today(-3).to_string();
    let mut body = external_training(school.term.code, "人工智能赋能高校教学学术讲座", "96");
    body["category"] = json!(6);
    body["start_date"] = json!(day);
    body["end_date"] = json!(day);
    let created = call(
        &app,
        Method::POST,
        "/api/v1/claims",
        &teacher,
        &[],
        Some(body),
    )
    .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    upload(
        &app,
        &teacher,
        &id,
        "讲座证明.pdf",
        &tiny_pdf(),
        "certificate",
    )
    .await;

    let rejected_submit = call(
        &app,
        Method::POST,
        &format!("/api/v1/claims/{id}/submit"),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(rejected_submit.status, StatusCode::UNPROCESSABLE_ENTITY);
    let json = rejected_submit.json();
    assert_eq!(json["code"], "checks_failed");
    assert_eq!(
        codes(&json["errors"]),
        ["hours_over_claim_cap", "hours_over_daily_max"]
    );
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("每条上限 16 学时")
    );
    assert!(json["message"].as_str().unwrap().contains("2 项问题"));

    let claim = claims::get(&mut app.db.conn().await.unwrap(), &id)
        .await
        .unwrap();
    assert_eq!(claim.status, xueshi_core::ClaimStatus::Draft);
}
db_test!(blocked_submit_lists_each_rule);

async fn submit_outside_window_over_api(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let past = term_with_window(
        &app,
        school.term.code.previous(),
        days_from_today(-200),
        days_from_today(-100),
    )
    .await;
    let teacher = token(&app, TEACHER_A).await;

    let created = call(
        &app,
        Method::POST,
        "/api/v1/claims",
        &teacher,
        &[],
        Some(external_training(past, "校外培训", "8")),
    )
    .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();

    let rejected_submit = call(
        &app,
        Method::POST,
        &format!("/api/v1/claims/{id}/submit"),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(rejected_submit.status, StatusCode::UNPROCESSABLE_ENTITY);
    let json = rejected_submit.json();
    assert_eq!(json["code"], "outside_window");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains(&days_from_today(-100).to_string())
    );
}
db_test!(submit_outside_window_over_api);

async fn others_claims_are_forbidden(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let owner = token(&app, TEACHER_A).await;
    let created = call(
        &app,
        Method::POST,
        "/api/v1/claims",
        &owner,
        &[],
        Some(external_training(school.term.code, "校外培训", "8")),
    )
    .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let uploaded = upload(
        &app,
        &owner,
        &id,
        "证书.png",
        &certificate_png(1),
        "certificate",
    )
    .await;
    let file = uploaded.json()["id"].as_str().unwrap().to_owned();

    for staff_id in [TEACHER_B, OUTSIDER] {
        let other = token(&app, staff_id).await;
        let read = call(
            &app,
            Method::GET,
            &format!("/api/v1/claims/{id}"),
            &other,
            &[],
            None,
        )
        .await;
        assert_eq!(read.status, StatusCode::FORBIDDEN, "{staff_id}");
        assert_eq!(read.json()["code"], "forbidden");
        let download = call(
            &app,
            Method::GET,
            &format!("/api/v1/evidence/{file}"),
            &other,
            &[],
            None,
        )
        .await;
        assert_eq!(download.status, StatusCode::FORBIDDEN, "{staff_id}");
        let changed = call(
            &app,
            Method::PUT,
            &format!("/api/v1/claims/{id}"),
            &other,
            &[],
            Some(external_training(school.term.code, "改掉", "8")),
        )
        .await;
        assert_eq!(changed.status, StatusCode::FORBIDDEN, "{staff_id}");
        let deleted = call(
            &app,
            Method::DELETE,
            &format!("/api/v1/claims/{id}"),
            &other,
            &[],
            None,
        )
        .await;
        assert_eq!(deleted.status, StatusCode::FORBIDDEN, "{staff_id}");
        let submitted = call(
            &app,
            Method::POST,
            &format!("/api/v1/claims/{id}/submit"),
            &other,
            &[],
            None,
        )
        .await;
        assert_eq!(submitted.status, StatusCode::FORBIDDEN, "{staff_id}");
        let sneaked = upload(&app, &other, &id, "x.png", &certificate_png(2), "photo").await;
        assert_eq!(sneaked.status, StatusCode::FORBIDDEN, "{staff_id}");
        let list = call(&app, Method::GET, "/api/v1/claims", &other, &[], None).await;
        assert_eq!(
            list.json()["claims"].as_array().unwrap().len(),
            0,
            "{staff_id}"
        );
    }
    let missing = call(
        &app,
        Method::GET,
        "/api/v1/claims/no-such-claim",
        &owner,
        &[],
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // The office director reviews it, so may read it.
    let director = token(&app, DIRECTOR).await;
    let read = call(
        &app,
        Method::GET,
        &format!("/api/v1/claims/{id}"),
        &director,
        &[],
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["topic"], "校外培训");
}
db_test!(others_claims_are_forbidden);

async fn update_withdraw_and_delete_over_api(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let teacher = token(&app, TEACHER_A).await;
    let created = call(
        &app,
        Method::POST,
        "/api/v1/claims",
        &teacher,
        &[],
        Some(external_training(school.term.code, "校外培训", "8")),
    )
    .await;
    let json = created.json();
    let id = json["id"].as_str().unwrap().to_owned();
    let version = json["version"].as_i64().unwrap();

    let mut body = external_training(school.term.code, "校外培训（修改后）", "10");
    body["version"] = json!(version);
    let updated = call(
        &app,
        Method::PUT,
        &format!("/api/v1/claims/{id}"),
        &teacher,
        &[],
        Some(body.clone()),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
    assert_eq!(updated.json()["version"], version + 1);
    let stale = call(
        &app,
        Method::PUT,
        &format!("/api/v1/claims/{id}"),
        &teacher,
        &[],
        Some(body),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    let mut invalid = external_training(school.term.code, "校外培训", "1.2");
    invalid["start_date"] = json!("2025-02-30");
    let rejected = call(
        &app,
        Method::PUT,
        &format!("/api/v1/claims/{id}"),
        &teacher,
        &[],
        Some(invalid),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = rejected.json();
    let fields: Vec<&str> = errors["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["start_date", "claimed_hours"]);

    let wrong_kind = upload(
        &app,
        &teacher,
        &id,
        "证书.png",
        &certificate_png(1),
        "diploma",
    )
    .await;
    assert_eq!(wrong_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong_kind.text().contains("diploma"));
    upload(
        &app,
        &teacher,
        &id,
        "证书.png",
        &certificate_png(1),
        "certificate",
    )
    .await;
    let submitted = call(
        &app,
        Method::POST,
        &format!("/api/v1/claims/{id}/submit"),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(submitted.status, StatusCode::OK);

    let not_draft = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/claims/{id}"),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(not_draft.status, StatusCode::CONFLICT);
    let withdrawn = call(
        &app,
        Method::POST,
        &format!("/api/v1/claims/{id}/withdraw"),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text());
    assert_eq!(withdrawn.json()["status"], "draft");
    let deleted = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/claims/{id}"),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let deleted_claim = call(
        &app,
        Method::GET,
        &format!("/api/v1/claims/{id}"),
        &teacher,
        &[],
        None,
    )
    .await;
    assert_eq!(deleted_claim.status, StatusCode::NOT_FOUND);
}
db_test!(update_withdraw_and_delete_over_api);
