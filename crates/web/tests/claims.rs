//! The teacher's claim pages as a browser uses them: creating, uploading, submitting with
//! the checks, withdrawing, and who may see a claim and its files.

mod common;

use axum::http::{StatusCode, header};
use common::TestApp;
use common::school::{
    CENTER_ADMIN, DIRECTOR, OUTSIDER, TEACHER_A, TEACHER_B, UNIT_REVIEWER, claim_id_of,
    create_claim, days_from_today, external_training, post_claim, school, sign_in,
    term_with_window, upload, with,
};
use xueshi_core::claim::DecisionInput;
use xueshi_core::{ClaimAction, ClaimStatus, Hours, ReviewLevel};
use xueshi_store::audit::Actor;
use xueshi_store::testing::TestDb;
use xueshi_store::{claims, db_test};
use xueshi_web::demo_claims::{certificate_png, photo_jpeg, session_notes, tiny_pdf};

/// Lists the evidence ids of a claim in the store.
async fn evidence_ids(app: &TestApp, claim_id: &str) -> Vec<String> {
    let claim = claims::get(&mut app.db.conn().await.unwrap(), claim_id)
        .await
        .unwrap();
    claim.evidence.into_iter().map(|row| row.id).collect()
}

async fn claim(app: &TestApp, claim_id: &str) -> claims::ClaimDetail {
    claims::get(&mut app.db.conn().await.unwrap(), claim_id)
        .await
        .unwrap()
}

async fn external_claim_waits_for_office_director(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;

    let form = app.get(&mut teacher, "/claims/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains("5. 校外培训"), "{}", form.text());

    let fields = external_training(school.term.code, "2025年高校课程思政教学能力提升专题培训");
    let id = create_claim(&app, &mut teacher, &fields).await;
    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("草稿已保存"), "{text}");
    assert!(text.contains("提交前还需要处理"), "{text}");
    assert!(text.contains("capture=\"environment\""), "{text}");

    // The phone's camera field sends its photo as another `file` part.
    let uploaded = upload(
        &app,
        &mut teacher,
        &id,
        "IMG_0001.png",
        &certificate_png(1),
        "certificate",
    )
    .await;
    assert_eq!(
        uploaded.status,
        StatusCode::SEE_OTHER,
        "{}",
        uploaded.text()
    );
    let files = evidence_ids(&app, &id).await;
    assert_eq!(files.len(), 1);
    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    assert!(page.text().contains("IMG_0001.png"));
    assert!(
        page.text()
            .contains(&format!("/evidence/{}/thumb", files[0]))
    );
    let thumb = app
        .get(&mut teacher, &format!("/evidence/{}/thumb", files[0]))
        .await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(thumb.headers[header::CONTENT_TYPE], "image/jpeg");
    assert!(thumb.body.starts_with(&[0xFF, 0xD8, 0xFF]));

    let version = claim(&app, &id).await.version;
    let submitted = app
        .post_form(
            &mut teacher,
            &format!("/claims/{id}/submit"),
            &[("version", &version.to_string())],
        )
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.text()
    );
    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    assert!(page.text().contains("待教研室审核"), "{}", page.text());

    let stored = claim(&app, &id).await;
    assert_eq!(stored.status, ClaimStatus::Pending);
    assert_eq!(stored.level, Some(ReviewLevel::Office));
    assert_eq!(stored.claimed_hours, Hours::from_tenths(125));

    // The office director may open it, and the list shows it with its hours.
    let mut director = sign_in(&app, DIRECTOR).await;
    let seen = app.get(&mut director, &format!("/claims/{id}")).await;
    assert_eq!(seen.status, StatusCode::OK);
    let list = app.get(&mut teacher, "/claims").await;
    assert!(
        list.text()
            .contains("2025年高校课程思政教学能力提升专题培训")
    );
    assert!(list.text().contains("申报 12.5 学时"));
}
db_test!(external_claim_waits_for_office_director);

async fn lecture_of_96_hours_is_rejected(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let day = days_from_today(-3).to_string();
    let fields = external_training(school.term.code, "人工智能赋能高校教学学术讲座");
    let fields = with(fields, "category", "6");
    let fields = with(fields, "start_date", &day);
    let fields = with(fields, "end_date", &day);
    let fields = with(fields, "claimed_hours", "96");
    let id = create_claim(&app, &mut teacher, &fields).await;
    let uploaded = upload(
        &app,
        &mut teacher,
        &id,
        "讲座证明.pdf",
        &tiny_pdf(),
        "certificate",
    )
    .await;
    assert_eq!(
        uploaded.status,
        StatusCode::SEE_OTHER,
        "{}",
        uploaded.text()
    );
    let before = claim(&app, &id).await;

    let rejected = app
        .post_form(&mut teacher, &format!("/claims/{id}/submit"), &[])
        .await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = rejected.text();
    assert!(
        text.contains("申报 96 学时超过“校内组织的其他学术活动”每条上限 16 学时"),
        "{text}"
    );
    assert!(text.contains("共 1 天"), "{text}");
    assert!(text.contains("每天最多 8 学时"), "{text}");

    let after = claim(&app, &id).await;
    assert_eq!(after.status, ClaimStatus::Draft);
    assert_eq!(after.version, before.version);
    assert_eq!(after.evidence.len(), 1);
}
db_test!(lecture_of_96_hours_is_rejected);

async fn training_in_the_future_is_refused(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let start = days_from_today(5).to_string();
    let end = days_from_today(6).to_string();
    let fields = external_training(school.term.code, "高校教师数字化教学能力提升研修班");
    let fields = with(fields, "start_date", &start);
    let fields = with(fields, "end_date", &end);
    let id = create_claim(&app, &mut teacher, &fields).await;
    let uploaded = upload(
        &app,
        &mut teacher,
        &id,
        "结业证书.pdf",
        &tiny_pdf(),
        "certificate",
    )
    .await;
    assert_eq!(
        uploaded.status,
        StatusCode::SEE_OTHER,
        "{}",
        uploaded.text()
    );

    let rejected = app
        .post_form(&mut teacher, &format!("/claims/{id}/submit"), &[])
        .await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = rejected.text();
    assert!(
        text.contains(&format!("培训结束日期 {end} 晚于今天")),
        "{text}"
    );
    let after = claim(&app, &id).await;
    assert_eq!(after.status, ClaimStatus::Draft);
    assert_eq!(after.evidence.len(), 1);
}
db_test!(training_in_the_future_is_refused);

async fn same_certificate_flags_both_claims(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let certificate = certificate_png(3);
    let mut first_teacher = sign_in(&app, TEACHER_A).await;
    let first_topic = "全国高校课程思政教学设计专题培训";
    let first = create_claim(
        &app,
        &mut first_teacher,
        &external_training(school.term.code, first_topic),
    )
    .await;
    upload(
        &app,
        &mut first_teacher,
        &first,
        "证书.png",
        &certificate,
        "certificate",
    )
    .await;
    app.post_form(&mut first_teacher, &format!("/claims/{first}/submit"), &[])
        .await;

    let mut second_teacher = sign_in(&app, TEACHER_B).await;
    let second_topic = "高校教师课程思政能力提升网络培训";
    let second = create_claim(
        &app,
        &mut second_teacher,
        &external_training(school.term.code, second_topic),
    )
    .await;
    upload(
        &app,
        &mut second_teacher,
        &second,
        "我的证书.png",
        &certificate,
        "certificate",
    )
    .await;
    let submitted = app
        .post_form(
            &mut second_teacher,
            &format!("/claims/{second}/submit"),
            &[],
        )
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.text()
    );

    let second_page = app
        .get(&mut second_teacher, &format!("/claims/{second}"))
        .await;
    let text = second_page.text();
    assert!(text.contains("系统提示了 1 项需要注意的问题"), "{text}");
    assert!(
        text.contains("与其他教师 1 条申报中的文件完全相同"),
        "{text}"
    );
    assert!(!text.contains(first_topic), "{text}");

    let first_page = app
        .get(&mut first_teacher, &format!("/claims/{first}"))
        .await;
    let text = first_page.text();
    assert!(
        text.contains("佐证材料与其他教师申报中的文件完全相同"),
        "{text}"
    );
    assert!(
        !text.contains(second_topic),
        "a teacher must not read a colleague's topic: {text}"
    );

    for id in [&first, &second] {
        let flags = claim(&app, id).await.flags;
        assert!(
            flags.iter().any(|flag| flag.code == "identical_evidence"),
            "{id}: {flags:?}"
        );
    }
    // The reviewer reads the flag as stored, naming the other claim.
    let mut director = sign_in(&app, DIRECTOR).await;
    let reviewed = app.get(&mut director, &format!("/claims/{first}")).await;
    assert!(
        reviewed.text().contains(second_topic),
        "{}",
        reviewed.text()
    );
}
db_test!(same_certificate_flags_both_claims);

async fn colleagues_cannot_see_claims_or_files(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut owner = sign_in(&app, TEACHER_A).await;
    let id = create_claim(
        &app,
        &mut owner,
        &external_training(school.term.code, "校外培训"),
    )
    .await;
    upload(
        &app,
        &mut owner,
        &id,
        "证书.png",
        &certificate_png(1),
        "certificate",
    )
    .await;
    let file = evidence_ids(&app, &id).await.remove(0);

    let mut colleague = sign_in(&app, TEACHER_B).await;
    for path in [
        format!("/claims/{id}"),
        format!("/claims/{id}/edit"),
        format!("/evidence/{file}"),
        format!("/evidence/{file}/thumb"),
    ] {
        let response = app.get(&mut colleague, &path).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "GET {path}");
    }
    for path in [
        format!("/claims/{id}/submit"),
        format!("/claims/{id}/withdraw"),
        format!("/claims/{id}/delete"),
        format!("/evidence/{file}/delete"),
    ] {
        let response = app.post_form(&mut colleague, &path, &[]).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "POST {path}");
    }
    let changed = post_claim(
        &app,
        &mut colleague,
        &format!("/claims/{id}"),
        &external_training(school.term.code, "改掉"),
    )
    .await;
    assert_eq!(changed.status, StatusCode::FORBIDDEN);
    let sneaked = upload(
        &app,
        &mut colleague,
        &id,
        "x.png",
        &certificate_png(2),
        "photo",
    )
    .await;
    assert_eq!(sneaked.status, StatusCode::FORBIDDEN);

    // A teacher of another unit cannot download the file either.
    let mut outsider = sign_in(&app, OUTSIDER).await;
    let response = app.get(&mut outsider, &format!("/evidence/{file}")).await;
    assert_eq!(response.status, StatusCode::FORBIDDEN);

    // The draft is unchanged, and its reviewers may see it.
    let stored = claim(&app, &id).await;
    assert_eq!(stored.topic, "校外培训");
    assert_eq!(stored.evidence.len(), 1);
    for staff_id in [DIRECTOR, UNIT_REVIEWER, CENTER_ADMIN] {
        let mut reviewer = sign_in(&app, staff_id).await;
        let response = app.get(&mut reviewer, &format!("/evidence/{file}")).await;
        assert_eq!(response.status, StatusCode::OK, "{staff_id}");
    }
}
db_test!(colleagues_cannot_see_claims_or_files);

async fn over_limit_upload_keeps_the_draft(test_db: &TestDb) {
    let app = TestApp::with_config(test_db, |config| config.max_upload_bytes = 200 * 1024).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let id = create_claim(
        &app,
        &mut teacher,
        &external_training(school.term.code, "校外培训"),
    )
    .await;
    let first = upload(
        &app,
        &mut teacher,
        &id,
        "证书.png",
        &certificate_png(1),
        "certificate",
    )
    .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);

    let mut large = tiny_pdf();
    large.resize(300 * 1024, b' ');
    let rejected = upload(&app, &mut teacher, &id, "扫描件.pdf", &large, "notes").await;
    assert_eq!(rejected.status, StatusCode::PAYLOAD_TOO_LARGE);
    let text = rejected.text();
    assert!(
        text.contains("“扫描件.pdf”文件超过 0.2 MB 的上限"),
        "{text}"
    );
    assert!(text.contains("之前的文件都已保留"), "{text}");
    assert!(
        text.contains("证书.png"),
        "the page lists the earlier file: {text}"
    );

    let stored = claim(&app, &id).await;
    assert_eq!(stored.status, ClaimStatus::Draft);
    assert_eq!(stored.evidence.len(), 1);
    assert!(
        app.state
            .blobs
            .exists(&stored.evidence[0].sha256)
            .await
            .unwrap()
    );
}
db_test!(over_limit_upload_keeps_the_draft);

async fn html_named_jpg_is_rejected(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let id = create_claim(
        &app,
        &mut teacher,
        &external_training(school.term.code, "校外培训"),
    )
    .await;
    let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>";
    let rejected = upload(&app, &mut teacher, &id, "证书.jpg", html, "certificate").await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = rejected.text();
    assert!(text.contains("文件“证书.jpg”的格式不被接受"), "{text}");
    assert!(text.contains("JPEG、PNG、WebP、HEIC 图片"), "{text}");
    assert!(evidence_ids(&app, &id).await.is_empty());

    // The rejected bytes are not kept in the store.
    let sha256 = sha256_hex(html);
    assert!(!app.state.blobs.exists(&sha256).await.unwrap());

    // A file without a kind is rejected with the field named.
    let no_kind = upload(&app, &mut teacher, &id, "证书.png", &certificate_png(1), "").await;
    assert_eq!(no_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_kind.text().contains("请选择材料类型"));
    assert!(evidence_ids(&app, &id).await.is_empty());
}
db_test!(html_named_jpg_is_rejected);

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

async fn download_keeps_the_chinese_name(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let id = create_claim(
        &app,
        &mut teacher,
        &external_training(school.term.code, "校外培训"),
    )
    .await;
    let name = "结业证书,“终版”;'2025'.pdf";
    let pdf = tiny_pdf();
    let uploaded = upload(&app, &mut teacher, &id, name, &pdf, "certificate").await;
    assert_eq!(
        uploaded.status,
        StatusCode::SEE_OTHER,
        "{}",
        uploaded.text()
    );
    let file = evidence_ids(&app, &id).await.remove(0);

    let download = app.get(&mut teacher, &format!("/evidence/{file}")).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body, pdf);
    assert_eq!(download.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(download.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let disposition = download.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap();
    assert!(disposition.starts_with("attachment; "), "{disposition}");
    let encoded: String = name
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect();
    assert!(
        disposition.contains(&format!("filename*=UTF-8''{encoded}")),
        "{disposition}"
    );

    // The page shows the name as uploaded, escaped.
    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    assert!(
        page.text().contains("结业证书,“终版”;&#39;2025&#39;.pdf"),
        "{}",
        page.text()
    );
}
db_test!(download_keeps_the_chinese_name);

async fn submit_outside_window_names_the_dates(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let past = term_with_window(
        &app,
        school.term.code.previous(),
        days_from_today(-200),
        days_from_today(-100),
    )
    .await;
    let future = term_with_window(
        &app,
        school.term.code.next(),
        days_from_today(100),
        days_from_today(200),
    )
    .await;
    let mut teacher = sign_in(&app, TEACHER_A).await;

    for (term, expected) in [
        (past, format!("申报已于 {} 截止", days_from_today(-100))),
        (
            future,
            format!("申报尚未开放，开放时间为 {} 至", days_from_today(100)),
        ),
    ] {
        let id = create_claim(&app, &mut teacher, &external_training(term, "校外培训")).await;
        upload(
            &app,
            &mut teacher,
            &id,
            "证书.png",
            &certificate_png(1),
            "certificate",
        )
        .await;
        let rejected = app
            .post_form(&mut teacher, &format!("/claims/{id}/submit"), &[])
            .await;
        assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY, "{term}");
        assert!(
            rejected.text().contains(&expected),
            "{expected}: {}",
            rejected.text()
        );
        assert_eq!(claim(&app, &id).await.status, ClaimStatus::Draft);
    }
}
db_test!(submit_outside_window_names_the_dates);

async fn double_create_and_submit_make_one_claim(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let mut fields = external_training(school.term.code, "校外培训");
    fields.push(("form_token", "form-token-of-one-page".to_owned()));
    let first = post_claim(&app, &mut teacher, "/claims", &fields).await;
    let second = post_claim(&app, &mut teacher, "/claims", &fields).await;
    assert_eq!(claim_id_of(&first), claim_id_of(&second));
    let id = claim_id_of(&first);
    let rows = claims::list_for_teacher(
        &mut app.db.conn().await.unwrap(),
        &school.teacher_a,
        school.term.code,
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);

    upload(
        &app,
        &mut teacher,
        &id,
        "证书.png",
        &certificate_png(1),
        "certificate",
    )
    .await;
    let version = claim(&app, &id).await.version.to_string();
    let path = format!("/claims/{id}/submit");
    // Two tabs submit the same page at once.
    let mut other_tab = teacher.clone();
    let form = [("version", version.as_str())];
    let (one, two) = tokio::join!(
        app.post_form(&mut teacher, &path, &form),
        app.post_form(&mut other_tab, &path, &form),
    );
    assert_eq!(one.status, StatusCode::SEE_OTHER, "{}", one.text());
    assert_eq!(two.status, StatusCode::SEE_OTHER, "{}", two.text());
    let after = claim(&app, &id).await;
    assert_eq!(after.status, ClaimStatus::Pending);
    assert_eq!(after.round, 1);

    let again = app
        .post_form(&mut teacher, &path, &[("version", &version)])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    assert!(page.text().contains("该申报已提交过"), "{}", page.text());
    let unchanged = claim(&app, &id).await;
    assert_eq!(unchanged.version, after.version);
    assert_eq!(unchanged.round, 1);
}
db_test!(double_create_and_submit_make_one_claim);

async fn withdraw_only_before_review(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let id = create_claim(
        &app,
        &mut teacher,
        &external_training(school.term.code, "校外培训"),
    )
    .await;
    upload(
        &app,
        &mut teacher,
        &id,
        "证书.png",
        &certificate_png(1),
        "certificate",
    )
    .await;
    app.post_form(&mut teacher, &format!("/claims/{id}/submit"), &[])
        .await;

    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    assert!(page.text().contains("撤回申报"));
    let withdrawn = app
        .post_form(&mut teacher, &format!("/claims/{id}/withdraw"), &[])
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    assert_eq!(claim(&app, &id).await.status, ClaimStatus::Draft);

    app.post_form(&mut teacher, &format!("/claims/{id}/submit"), &[])
        .await;
    let pending = claim(&app, &id).await;
    assert_eq!(pending.level, Some(ReviewLevel::Office));
    let mut tx = app.db.begin_write().await.unwrap();
    claims::transition(
        &mut tx,
        &id,
        pending.version,
        ClaimAction::Approve {
            level: ReviewLevel::Office,
        },
        &Actor::person(&school.director, None),
        Some(&DecisionInput::Approve {
            accredited_hours: Hours::from_whole(12),
            comment: "材料齐全".to_owned(),
        }),
    )
    .await
    .unwrap();
    xueshi_store::commit(tx).await.unwrap();

    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    let text = page.text();
    assert!(!text.contains("撤回申报"), "{text}");
    assert!(
        text.contains("审核记录") && text.contains("材料齐全"),
        "{text}"
    );
    let rejected = app
        .post_form(&mut teacher, &format!("/claims/{id}/withdraw"), &[])
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    assert!(page.text().contains("不能撤回"), "{}", page.text());
    assert_eq!(claim(&app, &id).await.level, Some(ReviewLevel::Unit));
}
db_test!(withdraw_only_before_review);

async fn invalid_form_keeps_what_was_typed(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let topic = "<script>alert(1)</script> 研修班";
    let notes = "第一天：<b>示范课</b>\n第二天：讨论";
    let fields = external_training(school.term.code, topic);
    let fields = with(fields, "claimed_hours", "1.25");
    let fields = with(fields, "end_date", &days_from_today(-20).to_string());
    let fields = with(fields, "notes", notes);
    let rejected = post_claim(&app, &mut teacher, "/claims", &fields).await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = rejected.text();
    assert!(text.contains("最多保留一位小数"), "{text}");
    assert!(text.contains("早于开始日期"), "{text}");
    assert!(text.contains("value=\"1.25\""), "{text}");
    assert!(
        text.contains("&#60;script&#62;alert(1)&#60;/script&#62; 研修班"),
        "{text}"
    );
    assert!(!text.contains("<script>alert"), "{text}");
    assert!(text.contains("&#60;b&#62;示范课&#60;/b&#62;"), "{text}");

    let fields = with(fields, "claimed_hours", "2");
    let fields = with(fields, "end_date", &days_from_today(-9).to_string());
    let id = create_claim(&app, &mut teacher, &fields).await;
    let stored = claim(&app, &id).await;
    assert_eq!(stored.topic, topic);
    assert_eq!(stored.notes, notes);
    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    assert!(!page.text().contains("<script>alert"));
}
db_test!(invalid_form_keeps_what_was_typed);

async fn edit_and_delete_a_draft(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let id = create_claim(
        &app,
        &mut teacher,
        &external_training(school.term.code, "校外培训"),
    )
    .await;
    let edit = app.get(&mut teacher, &format!("/claims/{id}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.text().contains("修改申报"));

    let version = claim(&app, &id).await.version.to_string();
    let mut fields = with(
        external_training(school.term.code, "校外培训（修改后）"),
        "mode",
        "online",
    );
    fields.push(("version", version.clone()));
    let saved = post_claim(&app, &mut teacher, &format!("/claims/{id}"), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    assert_eq!(claim(&app, &id).await.topic, "校外培训（修改后）");

    // A second tab that still holds the old version gets a message to reload.
    let stale = post_claim(&app, &mut teacher, &format!("/claims/{id}"), &fields).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.text().contains("已在其他页面修改"));

    let photo = photo_jpeg(1);
    upload(&app, &mut teacher, &id, "现场.jpg", &photo, "photo").await;
    let sha256 = claim(&app, &id).await.evidence[0].sha256.clone();
    let version = claim(&app, &id).await.version.to_string();
    let deleted = app
        .post_form(
            &mut teacher,
            &format!("/claims/{id}/delete"),
            &[("version", &version)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(deleted.location().as_deref(), Some("/claims"));
    let deleted_claim = claims::get(&mut app.db.conn().await.unwrap(), &id).await;
    assert!(deleted_claim.is_err());
    assert!(!app.state.blobs.exists(&sha256).await.unwrap());
}
db_test!(edit_and_delete_a_draft);

async fn delete_one_file_of_a_draft(test_db: &TestDb) {
    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut teacher = sign_in(&app, TEACHER_A).await;
    let id = create_claim(
        &app,
        &mut teacher,
        &external_training(school.term.code, "校外培训"),
    )
    .await;
    upload(
        &app,
        &mut teacher,
        &id,
        "证书.png",
        &certificate_png(1),
        "certificate",
    )
    .await;
    upload(
        &app,
        &mut teacher,
        &id,
        "截图.png",
        &certificate_png(2),
        "screenshot",
    )
    .await;
    let files = evidence_ids(&app, &id).await;
    assert_eq!(files.len(), 2);
    let deleted = app
        .post_form(&mut teacher, &format!("/evidence/{}/delete", files[1]), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(evidence_ids(&app, &id).await, vec![files[0].clone()]);

    // Once submitted, files can no longer be removed.
    app.post_form(&mut teacher, &format!("/claims/{id}/submit"), &[])
        .await;
    let rejected = app
        .post_form(&mut teacher, &format!("/evidence/{}/delete", files[0]), &[])
        .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    assert_eq!(evidence_ids(&app, &id).await.len(), 1);
    let page = app.get(&mut teacher, &format!("/claims/{id}")).await;
    assert!(
        page.text().contains("佐证材料不能再增删"),
        "{}",
        page.text()
    );
}
db_test!(delete_one_file_of_a_draft);

async fn list_shows_hours_against_requirement(test_db: &TestDb) {
    use xueshi_store::activities::{self, NewActivity, TrainingMode};
    use xueshi_store::categories;

    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut conn = app.db.conn().await.unwrap();
    let center_category = categories::find_by_code(&mut conn, school.term.code, 1)
        .await
        .unwrap()
        .unwrap();
    let training = NewActivity {
        term: school.term.code,
        category_id: center_category.id,
        title: "新入职教师教学能力提升专题培训".to_owned(),
        unit_id: None,
        start_date: days_from_today(-40),
        end_date: days_from_today(-39),
        place: "报告厅".to_owned(),
        mode: TrainingMode::Offline,
        hours: Hours::from_whole(12),
        speaker: "专家".to_owned(),
        description: String::new(),
    };
    let activity = activities::file(&mut conn, &training, None, xueshi_store::now_ms(), 7)
        .await
        .unwrap();
    activities::add_attendance(
        &mut conn,
        &activity,
        std::slice::from_ref(&school.teacher_a),
        None,
    )
    .await
    .unwrap();
    drop(conn);

    let mut teacher = sign_in(&app, TEACHER_A).await;
    let draft = create_claim(
        &app,
        &mut teacher,
        &external_training(school.term.code, "草稿中的培训"),
    )
    .await;
    let list = app.get(&mut teacher, "/claims").await;
    let text = list.text();
    assert!(text.contains("新入职教师教学能力提升专题培训"), "{text}");
    assert!(
        text.contains("<b class=\"big-number\">12</b> / 24 学时"),
        "{text}"
    );
    assert!(text.contains("距本学期要求还差 12 学时"), "{text}");
    assert!(text.contains("待处理（1）"), "{text}");
    assert!(text.contains(&format!("/claims/{draft}")), "{text}");
    assert!(text.contains("上传佐证材料"), "{text}");

    // The home page links there with the numbers.
    let home = app.get(&mut teacher, "/").await;
    let text = home.text();
    assert!(text.contains("href=\"/claims\""), "{text}");
    assert!(text.contains("12<small> / 24</small>"), "{text}");

    // A claim for the activity the center credited is rejected as a school-accredited item.
    let fields = external_training(school.term.code, "");
    let fields = with(fields, "category", "1");
    let fields = with(fields, "activity_id", &activity);
    let fields = with(fields, "organizer", "");
    let fields = with(fields, "start_date", "");
    let fields = with(fields, "end_date", "");
    let fields = with(fields, "claimed_hours", "");
    let fields = with(fields, "notes", &session_notes(&["一", "二", "三"]));
    let id = create_claim(&app, &mut teacher, &fields).await;
    let stored = claim(&app, &id).await;
    assert_eq!(stored.topic, "新入职教师教学能力提升专题培训");
    assert_eq!(stored.claimed_hours, Hours::from_whole(12));
    assert_eq!(stored.start_date, days_from_today(-40));
    let rejected = app
        .post_form(&mut teacher, &format!("/claims/{id}/submit"), &[])
        .await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        rejected.text().contains("学校认定项目"),
        "{}",
        rejected.text()
    );
}
db_test!(list_shows_hours_against_requirement);

async fn activity_fills_the_form(test_db: &TestDb) {
    use xueshi_store::activities::{self, NewActivity, TrainingMode};
    use xueshi_store::categories;

    let app = TestApp::new(test_db).await;
    let school = school(&app).await;
    let mut conn = app.db.conn().await.unwrap();
    let unit_category = categories::find_by_code(&mut conn, school.term.code, 3)
        .await
        .unwrap()
        .unwrap();
    let training = NewActivity {
        term: school.term.code,
        category_id: unit_category.id,
        title: "音乐学院智慧教学平台应用培训".to_owned(),
        unit_id: Some(school.unit_id.clone()),
        start_date: days_from_today(-21),
        end_date: days_from_today(-21),
        place: "多媒体教室".to_owned(),
        mode: TrainingMode::Online,
        hours: Hours::from_whole(6),
        speaker: "现代教育技术中心".to_owned(),
        description: String::new(),
    };
    let activity = activities::file(&mut conn, &training, None, xueshi_store::now_ms(), 7)
        .await
        .unwrap();
    drop(conn);

    let mut teacher = sign_in(&app, TEACHER_A).await;
    let form = app
        .get(&mut teacher, &format!("/claims/new?activity={activity}"))
        .await;
    let text = form.text();
    assert!(
        text.contains("value=\"音乐学院智慧教学平台应用培训\""),
        "{text}"
    );
    assert!(text.contains("value=\"6\""), "{text}");
    assert!(text.contains("所选活动 6 学时"), "{text}");

    // Without JavaScript the fill button sends the form back filled, saving nothing.
    let fields = external_training(school.term.code, "");
    let fields = with(fields, "category", "3");
    let mut fields = with(fields, "activity_id", &activity);
    fields.push(("fill", "1".to_owned()));
    let filled = post_claim(&app, &mut teacher, "/claims", &fields).await;
    assert_eq!(filled.status, StatusCode::OK);
    assert!(
        filled
            .text()
            .contains("value=\"音乐学院智慧教学平台应用培训\"")
    );
    assert!(
        filled.text().contains("value=\"online\" selected"),
        "{}",
        filled.text()
    );
    let rows = claims::list_for_teacher(
        &mut app.db.conn().await.unwrap(),
        &school.teacher_a,
        school.term.code,
    )
    .await
    .unwrap();
    assert!(rows.is_empty());
}
db_test!(activity_fills_the_form);

async fn demo_has_claims_in_every_state(test_db: &TestDb) {
    use std::collections::BTreeSet;
    use xueshi_core::StaffId;
    use xueshi_store::people;

    let app = TestApp::new(test_db).await;
    let accounts = xueshi_web::demo::fill(&app.db, &app.state.config)
        .await
        .unwrap()
        .expect("an empty database gets the demo school");
    let term = xueshi_web::demo::term_of(days_from_today(0));

    let mut states = BTreeSet::new();
    let mut flagged = 0;
    let mut overturned = Vec::new();
    let mut unflagged_at_office = Vec::new();
    let mut conn = app.db.conn().await.unwrap();
    for staff_id in ["2001101", "2001102", "2001103", "2001201", "2001202"] {
        let person = people::find_by_staff_id(&mut conn, &StaffId::parse(staff_id).unwrap())
            .await
            .unwrap()
            .unwrap();
        for row in claims::list_for_teacher(&mut conn, &person.id, term)
            .await
            .unwrap()
        {
            states.insert(xueshi_web::claims::status_text(row.status, row.level));
            if !claims::overturned_approvals(&mut conn, &row.id)
                .await
                .unwrap()
                .is_empty()
            {
                overturned.push(row.id.clone());
            }
            let claim = claims::get(&mut conn, &row.id).await.unwrap();
            if claim
                .flags
                .iter()
                .any(|flag| flag.code == "identical_evidence")
            {
                flagged += 1;
            }
            for file in &claim.evidence {
                assert!(app.state.blobs.exists(&file.sha256).await.unwrap());
            }
            if claim.level == Some(ReviewLevel::Office) && claim.flags.is_empty() {
                unflagged_at_office.push(claim);
            }
        }
    }
    drop(conn);
    let expected: BTreeSet<String> = [
        "草稿",
        "待教研室审核",
        "待院（部）审核",
        "待学校审核",
        "退回修改",
        "已认定",
        "未通过",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(states, expected);
    assert_eq!(flagged, 2, "the shared certificate flags both claims");

    // The school rejected one claim that both lower levels approved.
    assert_eq!(overturned.len(), 1);
    let overturned = claim(&app, &overturned[0]).await;
    assert_eq!(overturned.status, ClaimStatus::Rejected);
    let history = claims::history(&mut app.db.conn().await.unwrap(), &overturned.id)
        .await
        .unwrap();
    let levels: Vec<ReviewLevel> = history.iter().map(|row| row.level).collect();
    assert_eq!(
        levels,
        [ReviewLevel::Office, ReviewLevel::Unit, ReviewLevel::School]
    );

    // The office director, the unit reviewer and the center approve the claim waiting
    // without flags in turn, and its teacher sees it accredited with its hours.
    assert_eq!(unflagged_at_office.len(), 1);
    let waiting = &unflagged_at_office[0];
    for reviewer in ["2001200", "2001000", "1000001"] {
        let mut browser = app.sign_in(reviewer, &accounts.password).await;
        let page = app
            .get(&mut browser, &format!("/reviews/{}", waiting.id))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{reviewer}: {}", page.text());
        let version = claim(&app, &waiting.id).await.version.to_string();
        let decided = app
            .post_form(
                &mut browser,
                &format!("/reviews/{}/decision", waiting.id),
                &[
                    ("decision", "approve"),
                    ("accredited_hours", ""),
                    ("version", &version),
                ],
            )
            .await;
        assert_eq!(
            decided.status,
            StatusCode::SEE_OTHER,
            "{reviewer}: {}",
            decided.text()
        );
    }
    let accredited = claim(&app, &waiting.id).await;
    assert_eq!(accredited.status, ClaimStatus::Accredited);
    assert_eq!(accredited.accredited_hours, Some(waiting.claimed_hours));
    let mut teacher = app
        .sign_in(&waiting.teacher_staff_id, &accounts.password)
        .await;
    let list = app.get(&mut teacher, "/claims").await;
    let text = list.text();
    assert!(text.contains(&waiting.topic), "{text}");
    assert!(
        text.contains(&format!("认定 <b>{}</b> 学时", waiting.claimed_hours)),
        "{text}"
    );
}
db_test!(demo_has_claims_in_every_state);
