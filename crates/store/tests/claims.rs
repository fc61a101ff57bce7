//! Drafts, the review chain, skipped levels, history and notifications on both backends.

mod common;

use common::{
    act, act_at, approve, count_where, create, draft, reject, return_with, school, submit,
};
use xueshi_core::claim::DecisionInput;
use xueshi_core::reason::codes;
use xueshi_core::{ClaimAction, ClaimState, ClaimStatus, Hours, ReviewLevel, RoleKind};
use xueshi_store::audit::{self, Actor};
use xueshi_store::claims::{self, DecisionKind, TransitionFailure};
use xueshi_store::notifications;
use xueshi_store::testing::TestDb;
use xueshi_store::{StoreError, db_test};

use ReviewLevel::{Office, School, Unit};

async fn form_token_makes_one_claim(test_db: &TestDb) {
    let school = school(test_db).await;
    let draft = draft(&school, "2025年课程思政专题培训");
    let mut handles = Vec::new();
    for _ in 0..2 {
        let db = test_db.db.clone();
        let (teacher, unit, office, draft) = (
            school.teacher.clone(),
            school.unit.clone(),
            school.office.clone(),
            draft.clone(),
        );
        handles.push(tokio::spawn(async move {
            let mut conn = db.conn().await.unwrap();
            claims::create_draft(
                &mut conn,
                &teacher,
                &unit,
                Some(&office),
                &draft,
                Some("token-1"),
            )
            .await
            .unwrap()
        }));
    }
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    assert_eq!(results[0].0, results[1].0);
    let created: Vec<bool> = results.iter().map(|(_, created)| *created).collect();
    assert!(
        created.contains(&true) && created.contains(&false),
        "{created:?}"
    );
    assert_eq!(
        count_where(test_db, "claims", "teacher_id", &school.teacher).await,
        1
    );

    // A later repeat of the token, even with other fields, returns the same claim.
    let mut conn = test_db.db.conn().await.unwrap();
    let mut changed = draft.clone();
    changed.topic = "另一个主题".to_owned();
    let again = claims::create_draft(
        &mut conn,
        &school.teacher,
        &school.unit,
        Some(&school.office),
        &changed,
        Some("token-1"),
    )
    .await
    .unwrap();
    assert_eq!(again, (results[0].0.clone(), false));

    // Another teacher's form can never reach this claim through the token.
    let stolen = claims::create_draft(
        &mut conn,
        &school.colleague,
        &school.unit,
        Some(&school.office),
        &draft,
        Some("token-1"),
    )
    .await;
    assert!(matches!(stolen, Err(StoreError::Unique(_))), "{stolen:?}");
}
db_test!(form_token_makes_one_claim);

async fn double_click_makes_one_claim(test_db: &TestDb) {
    let school = school(test_db).await;
    let draft = draft(&school, "2025年课程思政专题培训");
    let mut handles = Vec::new();
    for _ in 0..2 {
        let db = test_db.db.clone();
        let (teacher, unit, office, draft) = (
            school.teacher.clone(),
            school.unit.clone(),
            school.office.clone(),
            draft.clone(),
        );
        handles.push(tokio::spawn(async move {
            let mut conn = db.conn().await.unwrap();
            claims::create_draft(&mut conn, &teacher, &unit, Some(&office), &draft, None)
                .await
                .unwrap()
        }));
    }
    let first = handles.remove(0).await.unwrap();
    let second = handles.remove(0).await.unwrap();
    assert_eq!(first.0, second.0);
    assert_eq!(
        count_where(test_db, "claims", "teacher_id", &school.teacher).await,
        1
    );

    // Other hours make another claim.
    let mut other = draft.clone();
    other.claimed_hours = Hours::from_whole(6);
    let mut conn = test_db.db.conn().await.unwrap();
    let (_, created) = claims::create_draft(
        &mut conn,
        &school.teacher,
        &school.unit,
        Some(&school.office),
        &other,
        None,
    )
    .await
    .unwrap();
    assert!(created);
    assert_eq!(
        count_where(test_db, "claims", "teacher_id", &school.teacher).await,
        2
    );
}
db_test!(double_click_makes_one_claim);

async fn twin_after_window_is_new_claim(test_db: &TestDb) {
    let school = school(test_db).await;
    let draft = draft(&school, "2025年课程思政专题培训");
    let id = create(test_db, &school.teacher, &draft).await;
    // Move the first draft's creation time back past the window.
    let mut conn = test_db.db.conn().await.unwrap();
    sqlx::query("UPDATE claims SET created_at = created_at - $2 WHERE id = $1")
        .bind(&id)
        .bind(claims::DUPLICATE_WINDOW_MS + 1)
        .execute(&mut *conn)
        .await
        .unwrap();
    let (second, created) = claims::create_draft(
        &mut conn,
        &school.teacher,
        &school.unit,
        Some(&school.office),
        &draft,
        None,
    )
    .await
    .unwrap();
    assert!(created);
    assert_ne!(second, id);
}
db_test!(twin_after_window_is_new_claim);

async fn draft_update_needs_current_version(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut draft = draft(&school, "2025年课程思政专题培训");
    let id = create(test_db, &school.teacher, &draft).await;
    let mut conn = test_db.db.conn().await.unwrap();

    draft.notes = "第一天：课程思政的设计方法。".to_owned();
    let version = claims::update_draft(&mut conn, &id, &school.teacher, 0, &draft)
        .await
        .unwrap();
    assert_eq!(version, 1);
    let stale = claims::update_draft(&mut conn, &id, &school.teacher, 0, &draft).await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
    let foreign = claims::update_draft(&mut conn, &id, &school.colleague, 1, &draft).await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");

    let stored = claims::get(&mut conn, &id).await.unwrap();
    assert_eq!(stored.notes, draft.notes);
    assert_eq!(stored.version, 1);
    assert_eq!(stored.teacher_name, "王芳");
    assert_eq!(stored.office_name.as_deref(), Some("会计教研室"));
    assert_eq!(stored.category_code, 5);
    drop(conn);

    // A submitted claim is no longer a draft to edit.
    submit(test_db, &id, &school.teacher).await;
    let mut conn = test_db.db.conn().await.unwrap();
    let pending = claims::update_draft(&mut conn, &id, &school.teacher, 2, &draft).await;
    assert!(matches!(pending, Err(StoreError::Conflict)), "{pending:?}");
}
db_test!(draft_update_needs_current_version);

async fn category_of_other_term_is_refused(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut next_term = common::term();
    next_term.code = school.term.next();
    let mut conn = test_db.db.conn().await.unwrap();
    xueshi_store::terms::create(&mut conn, &next_term)
        .await
        .unwrap();
    let mut draft = draft(&school, "2025年课程思政专题培训");
    draft.term = next_term.code;
    let result = claims::create_draft(
        &mut conn,
        &school.teacher,
        &school.unit,
        Some(&school.office),
        &draft,
        None,
    )
    .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}
db_test!(category_of_other_term_is_refused);

async fn full_chain_accredits(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.teacher,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;

    assert_eq!(
        submit(test_db, &id, &school.teacher).await,
        ClaimState::pending(Office)
    );
    let state = act(
        test_db,
        &id,
        ClaimAction::Approve { level: Office },
        &school.director,
        Some(&approve(12)),
    )
    .await
    .unwrap();
    assert_eq!(state, ClaimState::pending(Unit));
    let state = act(
        test_db,
        &id,
        ClaimAction::Approve { level: Unit },
        &school.unit_reviewer,
        Some(&approve(10)),
    )
    .await
    .unwrap();
    assert_eq!(state, ClaimState::pending(School));
    let state = act(
        test_db,
        &id,
        ClaimAction::Approve { level: School },
        &school.admin,
        Some(&approve(8)),
    )
    .await
    .unwrap();
    assert_eq!(state.status, ClaimStatus::Accredited);

    let mut conn = test_db.db.conn().await.unwrap();
    let claim = claims::get(&mut conn, &id).await.unwrap();
    assert_eq!(claim.status, ClaimStatus::Accredited);
    assert_eq!(claim.level, None);
    assert_eq!(claim.accredited_hours, Some(Hours::from_whole(8)));
    assert_eq!(claim.round, 1);
    assert_eq!(claim.version, 4);
    assert!(claim.decided_at.is_some());
    assert!(claim.submitted_at.is_some());

    let audit_rows = audit::for_entity(&mut conn, "claim", &id).await.unwrap();
    let actions: Vec<&str> = audit_rows.iter().map(|row| row.action.as_str()).collect();
    assert_eq!(actions, ["submit", "approve", "approve", "approve"]);
    assert_eq!(audit_rows[0].actor_ip.as_deref(), Some("10.0.0.1"));
    assert!(
        audit_rows[3]
            .after_json
            .as_deref()
            .unwrap()
            .contains("\"accredited\"")
    );

    let history = claims::history(&mut conn, &id).await.unwrap();
    assert_eq!(history.len(), 3);
    let levels: Vec<ReviewLevel> = history.iter().map(|row| row.level).collect();
    assert_eq!(levels, [Office, Unit, School]);
    assert!(
        history
            .iter()
            .all(|row| row.decision == DecisionKind::Approve)
    );
    assert_eq!(history[0].reviewer_name.as_deref(), Some("周主任"));
    assert_eq!(history[2].accredited_hours, Some(Hours::from_whole(8)));

    let notes = notifications::list(&mut conn, &school.teacher, false)
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].message.contains("认定 8 学时"),
        "{}",
        notes[0].message
    );
    assert_eq!(
        notifications::count_unread(&mut conn, &school.teacher)
            .await
            .unwrap(),
        1
    );
    assert!(
        notifications::mark_read(&mut conn, &school.teacher, &notes[0].id)
            .await
            .unwrap()
    );
    assert_eq!(
        notifications::count_unread(&mut conn, &school.teacher)
            .await
            .unwrap(),
        0
    );

    let summary = claims::hours_summary(&mut conn, &school.teacher, school.term)
        .await
        .unwrap();
    assert_eq!(summary.claimed, Hours::from_whole(12));
    assert_eq!(summary.accredited, Hours::from_whole(8));
}
db_test!(full_chain_accredits);

async fn return_then_resubmit_starts_over(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.teacher,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    submit(test_db, &id, &school.teacher).await;
    act(
        test_db,
        &id,
        ClaimAction::Approve { level: Office },
        &school.director,
        Some(&approve(12)),
    )
    .await
    .unwrap();
    let returned = act(
        test_db,
        &id,
        ClaimAction::Return { level: Unit },
        &school.unit_reviewer,
        Some(&return_with("请补充签到表。")),
    )
    .await
    .unwrap();
    assert_eq!(returned.status, ClaimStatus::Returned);

    let mut conn = test_db.db.conn().await.unwrap();
    let notes = notifications::list(&mut conn, &school.teacher, true)
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].message.contains("请补充签到表。"),
        "{}",
        notes[0].message
    );
    assert_eq!(notes[0].kind, notifications::kinds::CLAIM_RETURNED);
    drop(conn);

    assert_eq!(
        submit(test_db, &id, &school.teacher).await,
        ClaimState::pending(Office)
    );
    let mut conn = test_db.db.conn().await.unwrap();
    let claim = claims::get(&mut conn, &id).await.unwrap();
    assert_eq!(claim.round, 2);
    let history = claims::history(&mut conn, &id).await.unwrap();
    let rounds: Vec<(i64, DecisionKind)> = history
        .iter()
        .map(|row| (row.round, row.decision))
        .collect();
    assert_eq!(
        rounds,
        [(1, DecisionKind::Approve), (1, DecisionKind::Return)]
    );
    assert_eq!(history[1].comment, "请补充签到表。");
}
db_test!(return_then_resubmit_starts_over);

async fn school_reject_overturns_approvals(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.teacher,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    submit(test_db, &id, &school.teacher).await;
    act(
        test_db,
        &id,
        ClaimAction::Approve { level: Office },
        &school.director,
        Some(&approve(12)),
    )
    .await
    .unwrap();
    act(
        test_db,
        &id,
        ClaimAction::Approve { level: Unit },
        &school.unit_reviewer,
        Some(&approve(12)),
    )
    .await
    .unwrap();
    let state = act(
        test_db,
        &id,
        ClaimAction::Reject { level: School },
        &school.admin,
        Some(&reject(codes::OUT_OF_SCOPE, "会议不属于培训。")),
    )
    .await
    .unwrap();
    assert_eq!(state.status, ClaimStatus::Rejected);

    let mut conn = test_db.db.conn().await.unwrap();
    let history = claims::history(&mut conn, &id).await.unwrap();
    let school_decision = &history[2].id;
    assert_eq!(history[2].reason_label.as_deref(), Some("不在认定范围"));
    assert_eq!(
        count_where(test_db, "overturns", "school_decision_id", school_decision).await,
        2
    );
    for approval in &history[..2] {
        assert_eq!(
            count_where(test_db, "overturns", "approval_decision_id", &approval.id).await,
            1
        );
    }
    let claim = claims::get(&mut conn, &id).await.unwrap();
    assert_eq!(claim.reason_code.as_deref(), Some(codes::OUT_OF_SCOPE));
    assert_eq!(claim.reason_label.as_deref(), Some("不在认定范围"));
    assert_eq!(claim.accredited_hours, None);
    let notes = notifications::list(&mut conn, &school.teacher, false)
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].message.contains("原因：不在认定范围"),
        "{}",
        notes[0].message
    );
    assert!(
        notes[0].message.contains("会议不属于培训。"),
        "{}",
        notes[0].message
    );
}
db_test!(school_reject_overturns_approvals);

async fn unit_reject_writes_no_overturn(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.teacher,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    submit(test_db, &id, &school.teacher).await;
    act(
        test_db,
        &id,
        ClaimAction::Approve { level: Office },
        &school.director,
        Some(&approve(12)),
    )
    .await
    .unwrap();
    act(
        test_db,
        &id,
        ClaimAction::Reject { level: Unit },
        &school.unit_reviewer,
        Some(&reject(codes::DUPLICATE, "")),
    )
    .await
    .unwrap();
    let mut conn = test_db.db.conn().await.unwrap();
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM overturns")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(total, 0);
}
db_test!(unit_reject_writes_no_overturn);

async fn officeless_teacher_starts_at_unit(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.officeless,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    assert_eq!(
        submit(test_db, &id, &school.officeless).await,
        ClaimState::pending(Unit)
    );
}
db_test!(officeless_teacher_starts_at_unit);

async fn director_claim_skips_office(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.director,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    assert_eq!(
        submit(test_db, &id, &school.director).await,
        ClaimState::pending(Unit)
    );
}
db_test!(director_claim_skips_office);

async fn unit_reviewer_claim_skips_unit(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();
    // Give the unit reviewer an office, so their claim starts at the office level.
    let fields = xueshi_store::people::PersonFields {
        name: "郑审核".to_owned(),
        unit_id: Some(school.unit.clone()),
        office_id: Some(school.office.clone()),
        title: String::new(),
    };
    xueshi_store::people::update(&mut conn, &school.unit_reviewer, &fields)
        .await
        .unwrap();
    drop(conn);
    let id = create(
        test_db,
        &school.unit_reviewer,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    assert_eq!(
        submit(test_db, &id, &school.unit_reviewer).await,
        ClaimState::pending(Office)
    );
    let state = act(
        test_db,
        &id,
        ClaimAction::Approve { level: Office },
        &school.director,
        Some(&approve(12)),
    )
    .await
    .unwrap();
    assert_eq!(state, ClaimState::pending(School));
}
db_test!(unit_reviewer_claim_skips_unit);

async fn submit_moves_claim_to_current_office(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.teacher,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    let mut conn = test_db.db.conn().await.unwrap();
    let fields = xueshi_store::people::PersonFields {
        name: "王芳".to_owned(),
        unit_id: Some(school.unit.clone()),
        office_id: Some(school.other_office.clone()),
        title: String::new(),
    };
    xueshi_store::people::update(&mut conn, &school.teacher, &fields)
        .await
        .unwrap();
    drop(conn);
    submit(test_db, &id, &school.teacher).await;
    let mut conn = test_db.db.conn().await.unwrap();
    let claim = claims::get(&mut conn, &id).await.unwrap();
    assert_eq!(
        claim.office_id.as_deref(),
        Some(school.other_office.as_str())
    );
}
db_test!(submit_moves_claim_to_current_office);

async fn withdraw_only_before_decision(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.teacher,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    submit(test_db, &id, &school.teacher).await;
    let state = act(test_db, &id, ClaimAction::Withdraw, &school.teacher, None)
        .await
        .unwrap();
    assert_eq!(state, ClaimState::DRAFT);

    submit(test_db, &id, &school.teacher).await;
    act(
        test_db,
        &id,
        ClaimAction::Approve { level: Office },
        &school.director,
        Some(&approve(12)),
    )
    .await
    .unwrap();
    let mut conn = test_db.db.conn().await.unwrap();
    let version = claims::get(&mut conn, &id).await.unwrap().version;
    let mut tx = test_db.db.begin_write().await.unwrap();
    let actor = Actor::person(&school.teacher, None);
    let late = claims::withdraw(&mut tx, &id, version, &actor).await;
    assert!(
        matches!(late, Err(TransitionFailure::NotAllowed(_))),
        "{late:?}"
    );
}
db_test!(withdraw_only_before_decision);

async fn refused_transitions_change_nothing(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.teacher,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    submit(test_db, &id, &school.teacher).await;

    let own = act(
        test_db,
        &id,
        ClaimAction::Approve { level: Office },
        &school.teacher,
        Some(&approve(12)),
    )
    .await;
    assert!(matches!(own, Err(TransitionFailure::OwnClaim)), "{own:?}");

    let over = act(
        test_db,
        &id,
        ClaimAction::Approve { level: Office },
        &school.director,
        Some(&approve(13)),
    )
    .await;
    assert!(
        matches!(over, Err(TransitionFailure::InvalidDecision(_))),
        "{over:?}"
    );

    let wrong_level = act(
        test_db,
        &id,
        ClaimAction::Approve { level: Unit },
        &school.unit_reviewer,
        Some(&approve(12)),
    )
    .await;
    assert!(
        matches!(wrong_level, Err(TransitionFailure::NotAllowed(_))),
        "{wrong_level:?}"
    );
    // A claim that is not at the level reports that before any mistake in the form.
    let wrong_level_and_hours = act(
        test_db,
        &id,
        ClaimAction::Approve { level: Unit },
        &school.unit_reviewer,
        Some(&approve(13)),
    )
    .await;
    assert!(
        matches!(wrong_level_and_hours, Err(TransitionFailure::NotAllowed(_))),
        "{wrong_level_and_hours:?}"
    );

    let stale = act_at(
        test_db,
        &id,
        0,
        ClaimAction::Approve { level: Office },
        &school.director,
        Some(&approve(12)),
    )
    .await;
    assert!(
        matches!(stale, Err(TransitionFailure::Store(StoreError::Conflict))),
        "{stale:?}"
    );

    let mismatched = act(
        test_db,
        &id,
        ClaimAction::Approve { level: Office },
        &school.director,
        Some(&DecisionInput::Return {
            comment: "请补充。".to_owned(),
        }),
    )
    .await;
    assert!(
        matches!(
            mismatched,
            Err(TransitionFailure::Store(StoreError::Other(_)))
        ),
        "{mismatched:?}"
    );

    let mut conn = test_db.db.conn().await.unwrap();
    let claim = claims::get(&mut conn, &id).await.unwrap();
    assert_eq!(claim.state(), ClaimState::pending(Office));
    assert_eq!(claim.version, 1);
    assert_eq!(count_where(test_db, "decisions", "claim_id", &id).await, 0);
    assert_eq!(count_where(test_db, "audit_log", "entity_id", &id).await, 1);
}
db_test!(refused_transitions_change_nothing);

async fn delete_draft_keeps_shared_files(test_db: &TestDb) {
    let school = school(test_db).await;
    let first = create(
        test_db,
        &school.teacher,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    let second = create(
        test_db,
        &school.colleague,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    let mut conn = test_db.db.conn().await.unwrap();
    let shared = "a".repeat(64);
    let own = "b".repeat(64);
    for sha in [&shared, &own] {
        xueshi_store::evidence::record_blob(&mut conn, sha, 100, "pdf", None, None)
            .await
            .unwrap();
    }
    use xueshi_core::EvidenceKind::Certificate;
    xueshi_store::evidence::add(
        &mut conn,
        &first,
        &shared,
        Certificate,
        "证书.pdf",
        &school.teacher,
    )
    .await
    .unwrap();
    xueshi_store::evidence::add(
        &mut conn,
        &first,
        &own,
        Certificate,
        "记录.pdf",
        &school.teacher,
    )
    .await
    .unwrap();
    xueshi_store::evidence::add(
        &mut conn,
        &second,
        &shared,
        Certificate,
        "证书.pdf",
        &school.colleague,
    )
    .await
    .unwrap();

    let actor = Actor::person(&school.teacher, None);
    let foreign = claims::delete_draft(&mut conn, &first, &school.colleague, 0, &actor).await;
    assert!(matches!(foreign, Err(StoreError::NotFound)), "{foreign:?}");
    let unreferenced = claims::delete_draft(&mut conn, &first, &school.teacher, 0, &actor)
        .await
        .unwrap();
    assert_eq!(unreferenced, std::slice::from_ref(&own));
    assert!(
        xueshi_store::evidence::is_referenced(&mut conn, &shared)
            .await
            .unwrap()
    );
    assert!(
        !xueshi_store::evidence::forget_blob(&mut conn, &shared)
            .await
            .unwrap()
    );
    assert!(
        xueshi_store::evidence::forget_blob(&mut conn, &own)
            .await
            .unwrap()
    );
    assert!(matches!(
        claims::get(&mut conn, &first).await,
        Err(StoreError::NotFound)
    ));
}
db_test!(delete_draft_keeps_shared_files);

async fn reviewer_roles_change_route(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.teacher,
        &draft(&school, "2025年课程思政专题培训"),
    )
    .await;
    submit(test_db, &id, &school.teacher).await;
    // The unit reviewer leaves the role during review: the office approval goes to school.
    let mut conn = test_db.db.conn().await.unwrap();
    let role = xueshi_core::Role {
        kind: RoleKind::UnitReviewer,
        scope_id: Some(school.unit.clone()),
    };
    xueshi_store::people::revoke(&mut conn, &school.unit_reviewer, &role)
        .await
        .unwrap();
    drop(conn);
    let state = act(
        test_db,
        &id,
        ClaimAction::Approve { level: Office },
        &school.director,
        Some(&approve(12)),
    )
    .await
    .unwrap();
    assert_eq!(state, ClaimState::pending(School));
}
db_test!(reviewer_roles_change_route);

async fn teacher_list_and_hours(test_db: &TestDb) {
    let school = school(test_db).await;
    let kept_draft = create(test_db, &school.teacher, &draft(&school, "尚未提交的培训")).await;
    let pending = create(test_db, &school.teacher, &draft(&school, "混合式教学培训")).await;
    submit(test_db, &pending, &school.teacher).await;
    let mut half = draft(&school, "实验教学培训");
    half.claimed_hours = Hours::from_tenths(65);
    let rejected = create(test_db, &school.teacher, &half).await;
    submit(test_db, &rejected, &school.teacher).await;
    act(
        test_db,
        &rejected,
        ClaimAction::Reject { level: Office },
        &school.director,
        Some(&reject(codes::WRONG_HOURS, "")),
    )
    .await
    .unwrap();
    create(test_db, &school.colleague, &draft(&school, "同事的培训")).await;

    let mut conn = test_db.db.conn().await.unwrap();
    let list = claims::list_for_teacher(&mut conn, &school.teacher, school.term)
        .await
        .unwrap();
    let ids: Vec<&str> = list.iter().map(|row| row.id.as_str()).collect();
    assert_eq!(
        ids,
        [rejected.as_str(), pending.as_str(), kept_draft.as_str()]
    );
    assert_eq!(list[0].status, ClaimStatus::Rejected);
    assert_eq!(list[0].reason_label.as_deref(), Some("学时填写有误"));
    assert_eq!(list[1].level, Some(Office));
    assert_eq!(list[2].status, ClaimStatus::Draft);

    let summary = claims::hours_summary(&mut conn, &school.teacher, school.term)
        .await
        .unwrap();
    // The draft does not count, but the pending 12 hours and the rejected 6.5 hours do.
    assert_eq!(summary.claimed, Hours::from_tenths(185));
    assert_eq!(summary.accredited, Hours::ZERO);
    assert_eq!(summary.credited_total(), Hours::ZERO);
    let other_term = claims::list_for_teacher(&mut conn, &school.teacher, school.term.next())
        .await
        .unwrap();
    assert!(other_term.is_empty());
}
db_test!(teacher_list_and_hours);
