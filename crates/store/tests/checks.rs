//! Evidence files and what the submission checks read from the store: the claim's facts,
//! its neighbors and the flags left behind, on both backends.

mod common;

use common::{School, create, draft, school};
use xueshi_core::checks::{CheckConfig, has_blocking};
use xueshi_core::{ClaimAction, ClaimStatus, EvidenceKind, check_claim};
use xueshi_store::audit::Actor;
use xueshi_store::claims::{self, ClaimFlag};
use xueshi_store::evidence;
use xueshi_store::testing::TestDb;
use xueshi_store::{StoreError, db_test};

const PHOTO: u64 = 0x8f3a_51c2_77e0_19d4;

fn sha(seed: char) -> String {
    seed.to_string().repeat(64)
}

/// Records a file and attaches it to a claim.
async fn attach(
    test_db: &TestDb,
    claim_id: &str,
    teacher: &str,
    sha256: &str,
    kind: EvidenceKind,
    phash: Option<u64>,
) -> String {
    let mut conn = test_db.db.conn().await.unwrap();
    evidence::record_blob(&mut conn, sha256, 2048, "jpeg", phash, None)
        .await
        .unwrap();
    evidence::add(&mut conn, claim_id, sha256, kind, "文件.jpg", teacher)
        .await
        .unwrap()
}

/// Submits a claim the way the web layer does: the checks, then the transition and the
/// flags in one write transaction. Returns the findings.
async fn submit_checked(
    test_db: &TestDb,
    claim_id: &str,
    teacher: &str,
) -> Vec<xueshi_core::Finding> {
    let mut tx = test_db.db.begin_write().await.unwrap();
    let claim = claims::get(&mut tx, claim_id).await.unwrap();
    let inputs = claims::check_inputs(&mut tx, &claim).await.unwrap();
    let neighbors = claims::neighbors(&mut tx, &claim).await.unwrap();
    let findings = check_claim(&inputs.facts(&claim), &neighbors, &CheckConfig::default());
    assert!(!has_blocking(&findings), "{findings:?}");
    let actor = Actor::person(teacher, None);
    claims::transition(
        &mut tx,
        claim_id,
        claim.version,
        ClaimAction::Submit,
        &actor,
        None,
    )
    .await
    .unwrap();
    claims::replace_flags(&mut tx, claim_id, &findings)
        .await
        .unwrap();
    xueshi_store::commit(tx).await.unwrap();
    findings
}

/// Creates a claim with a certificate (the evidence its category needs) and one more file.
async fn claim_with(
    test_db: &TestDb,
    school: &School,
    teacher: &str,
    topic: &str,
    file: (&str, EvidenceKind, Option<u64>),
) -> String {
    let id = create(test_db, teacher, &draft(school, topic)).await;
    let certificate = topic_hash(topic);
    attach(
        test_db,
        &id,
        teacher,
        &certificate,
        EvidenceKind::Certificate,
        None,
    )
    .await;
    attach(test_db, &id, teacher, file.0, file.1, file.2).await;
    id
}

/// Returns 64 hex digits derived from a topic, so that each claim's certificate differs.
fn topic_hash(topic: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    topic.hash(&mut hasher);
    format!("{:016x}", hasher.finish()).repeat(4)
}

async fn flags_of(test_db: &TestDb, claim_id: &str) -> Vec<ClaimFlag> {
    let mut conn = test_db.db.conn().await.unwrap();
    claims::flags(&mut conn, claim_id).await.unwrap()
}

async fn identical_file_flags_both_claims(test_db: &TestDb) {
    let school = school(test_db).await;
    let shared = sha('a');
    let first = claim_with(
        test_db,
        &school,
        &school.teacher,
        "课程思政专题培训",
        (&shared, EvidenceKind::Screenshot, None),
    )
    .await;
    submit_checked(test_db, &first, &school.teacher).await;
    // A colleague's draft holding the same file is not compared with.
    let draft_only = claim_with(
        test_db,
        &school,
        &school.other_teacher,
        "未提交的培训",
        (&shared, EvidenceKind::Screenshot, None),
    )
    .await;
    let second = claim_with(
        test_db,
        &school,
        &school.colleague,
        "混合式教学培训",
        (&shared, EvidenceKind::Screenshot, None),
    )
    .await;

    let mut conn = test_db.db.conn().await.unwrap();
    let claim = claims::get(&mut conn, &second).await.unwrap();
    let neighbors = claims::neighbors(&mut conn, &claim).await.unwrap();
    assert_eq!(neighbors.identical_evidence.len(), 1, "{neighbors:?}");
    let found = &neighbors.identical_evidence[0];
    assert_eq!(found.sha256, shared);
    assert_eq!(found.other_claim_id, first);
    assert!(found.other_teacher);
    drop(conn);

    let findings = submit_checked(test_db, &second, &school.colleague).await;
    assert!(
        findings
            .iter()
            .any(|finding| finding.code == "identical_evidence"),
        "{findings:?}"
    );
    let own_flags = flags_of(test_db, &second).await;
    assert_eq!(own_flags.len(), 1, "{own_flags:?}");
    assert_eq!(
        own_flags[0].related_claim_id.as_deref(),
        Some(first.as_str())
    );
    let mirror = flags_of(test_db, &first).await;
    assert_eq!(mirror.len(), 1, "{mirror:?}");
    assert_eq!(mirror[0].code, "identical_evidence");
    assert_eq!(mirror[0].related_claim_id.as_deref(), Some(second.as_str()));
    assert!(
        mirror[0].message.contains("混合式教学培训"),
        "{}",
        mirror[0].message
    );
    assert!(flags_of(test_db, &draft_only).await.is_empty());

    // Storing the same findings again adds no second mirror.
    let mut conn = test_db.db.conn().await.unwrap();
    claims::replace_flags(&mut conn, &second, &findings)
        .await
        .unwrap();
    assert_eq!(flags_of(test_db, &first).await.len(), 1);
    assert_eq!(flags_of(test_db, &second).await.len(), 1);
}
db_test!(identical_file_flags_both_claims);

async fn near_photo_is_candidate(test_db: &TestDb) {
    let school = school(test_db).await;
    let original = claim_with(
        test_db,
        &school,
        &school.teacher,
        "课程思政专题培训",
        (&sha('1'), EvidenceKind::Photo, Some(PHOTO)),
    )
    .await;
    submit_checked(test_db, &original, &school.teacher).await;

    // Three bits apart, all in the lowest band: the other seven bands match exactly.
    let near = claim_with(
        test_db,
        &school,
        &school.colleague,
        "混合式教学培训",
        (&sha('2'), EvidenceKind::Photo, Some(PHOTO ^ 0b1011)),
    )
    .await;
    // One bit apart in every band: no band matches, although only 8 bits differ.
    let far = claim_with(
        test_db,
        &school,
        &school.other_teacher,
        "金融科技培训",
        (
            &sha('3'),
            EvidenceKind::Photo,
            Some(PHOTO ^ 0x0101_0101_0101_0101),
        ),
    )
    .await;
    // The same picture filed as a screenshot is not compared as a photo.
    let screenshot = claim_with(
        test_db,
        &school,
        &school.officeless,
        "学习平台培训",
        (&sha('4'), EvidenceKind::Screenshot, Some(PHOTO)),
    )
    .await;

    let mut conn = test_db.db.conn().await.unwrap();
    let near_claim = claims::get(&mut conn, &near).await.unwrap();
    let near_neighbors = claims::neighbors(&mut conn, &near_claim).await.unwrap();
    assert_eq!(
        near_neighbors.photo_candidates.len(),
        1,
        "{near_neighbors:?}"
    );
    assert_eq!(near_neighbors.photo_candidates[0].phash, PHOTO);
    assert_eq!(near_neighbors.photo_candidates[0].other_claim_id, original);
    assert!(near_neighbors.photo_candidates[0].other_teacher);

    let far_claim = claims::get(&mut conn, &far).await.unwrap();
    let far_neighbors = claims::neighbors(&mut conn, &far_claim).await.unwrap();
    assert!(
        far_neighbors.photo_candidates.is_empty(),
        "{far_neighbors:?}"
    );
    let screenshot_claim = claims::get(&mut conn, &screenshot).await.unwrap();
    let screenshot_neighbors = claims::neighbors(&mut conn, &screenshot_claim)
        .await
        .unwrap();
    assert!(
        screenshot_neighbors.photo_candidates.is_empty(),
        "{screenshot_neighbors:?}"
    );
    drop(conn);

    let findings = submit_checked(test_db, &near, &school.colleague).await;
    assert!(
        findings
            .iter()
            .any(|finding| finding.code == "similar_photo"),
        "{findings:?}"
    );
    let mirror = flags_of(test_db, &original).await;
    assert_eq!(mirror.len(), 1, "{mirror:?}");
    assert_eq!(mirror[0].code, "similar_photo");
    assert_eq!(mirror[0].related_claim_id.as_deref(), Some(near.as_str()));
}
db_test!(near_photo_is_candidate);

async fn photo_bands_are_recorded_once(test_db: &TestDb) {
    let mut conn = test_db.db.conn().await.unwrap();
    let hash = sha('9');
    assert!(
        evidence::record_blob(
            &mut conn,
            &hash,
            10,
            "jpeg",
            Some(PHOTO),
            Some(common::day(2025, 10, 13))
        )
        .await
        .unwrap()
    );
    assert!(
        !evidence::record_blob(&mut conn, &hash, 10, "jpeg", Some(PHOTO), None)
            .await
            .unwrap()
    );
    let bands: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT CAST(band AS BIGINT), band_value FROM photo_hash_bands WHERE sha256 = $1 ORDER BY band",
    )
    .bind(&hash)
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let expected: Vec<(i64, i64)> = (0..8)
        .map(|band| (band, ((PHOTO >> (8 * band)) & 0xFF) as i64))
        .collect();
    assert_eq!(bands, expected);
    assert_eq!(evidence::phash_band(PHOTO, 7), 0x8f);
}
db_test!(photo_bands_are_recorded_once);

async fn same_teacher_claims_listed(test_db: &TestDb) {
    let school = school(test_db).await;
    let first = create(
        test_db,
        &school.teacher,
        &draft(&school, "课程思政专题培训"),
    )
    .await;
    let second = create(test_db, &school.teacher, &draft(&school, "混合式教学培训")).await;
    let third = create(
        test_db,
        &school.teacher,
        &draft(&school, "教学能力提升培训"),
    )
    .await;
    create(
        test_db,
        &school.colleague,
        &draft(&school, "课程思政专题培训"),
    )
    .await;
    common::submit(test_db, &second, &school.teacher).await;

    let mut conn = test_db.db.conn().await.unwrap();
    let claim = claims::get(&mut conn, &first).await.unwrap();
    let neighbors = claims::neighbors(&mut conn, &claim).await.unwrap();
    let mut listed: Vec<(&str, ClaimStatus)> = neighbors
        .same_teacher_claims
        .iter()
        .map(|other| (other.id.as_str(), other.status))
        .collect();
    listed.sort();
    let mut expected = vec![
        (second.as_str(), ClaimStatus::Pending),
        (third.as_str(), ClaimStatus::Draft),
    ];
    expected.sort();
    assert_eq!(listed, expected);
}
db_test!(same_teacher_claims_listed);

async fn evidence_changes_only_while_editable(test_db: &TestDb) {
    let school = school(test_db).await;
    let id = create(
        test_db,
        &school.teacher,
        &draft(&school, "课程思政专题培训"),
    )
    .await;
    let certificate = sha('e');
    let evidence_id = attach(
        test_db,
        &id,
        &school.teacher,
        &certificate,
        EvidenceKind::Certificate,
        None,
    )
    .await;
    let extra = attach(
        test_db,
        &id,
        &school.teacher,
        &sha('f'),
        EvidenceKind::Notice,
        None,
    )
    .await;

    let mut conn = test_db.db.conn().await.unwrap();
    let access = evidence::get(&mut conn, &evidence_id).await.unwrap();
    assert_eq!(access.teacher_id, school.teacher);
    assert_eq!(access.unit_id, school.unit);
    assert_eq!(access.office_id.as_deref(), Some(school.office.as_str()));
    assert_eq!(access.status, ClaimStatus::Draft);
    assert_eq!(access.evidence.kind, EvidenceKind::Certificate);
    assert_eq!(access.evidence.size, 2048);

    let (removed, still_used) = evidence::remove(&mut conn, &extra, &id).await.unwrap();
    assert_eq!(removed, sha('f'));
    assert!(!still_used);
    assert_eq!(evidence::list(&mut conn, &id).await.unwrap().len(), 1);
    drop(conn);

    submit_checked(test_db, &id, &school.teacher).await;
    let mut conn = test_db.db.conn().await.unwrap();
    let late_add = evidence::add(
        &mut conn,
        &id,
        &certificate,
        EvidenceKind::Photo,
        "照片.jpg",
        &school.teacher,
    )
    .await;
    assert!(
        matches!(late_add, Err(StoreError::Conflict)),
        "{late_add:?}"
    );
    let late_remove = evidence::remove(&mut conn, &evidence_id, &id).await;
    assert!(
        matches!(late_remove, Err(StoreError::Conflict)),
        "{late_remove:?}"
    );
    let missing = evidence::add(
        &mut conn,
        "no-such-claim",
        &certificate,
        EvidenceKind::Photo,
        "照片.jpg",
        &school.teacher,
    )
    .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    let access = evidence::get(&mut conn, &evidence_id).await.unwrap();
    assert_eq!(access.status, ClaimStatus::Pending);
    assert_eq!(access.level, Some(xueshi_core::ReviewLevel::Office));
}
db_test!(evidence_changes_only_while_editable);

async fn credited_activity_blocks_claim(test_db: &TestDb) {
    use xueshi_store::activities::{self, NewActivity, TrainingMode};
    let school = school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();
    let center = school.category(1);
    let new = NewActivity {
        term: school.term,
        category_id: center.id.clone(),
        title: "新入职教师培训".to_owned(),
        unit_id: None,
        start_date: common::day(2025, 10, 13),
        end_date: common::day(2025, 10, 14),
        place: "行政楼会议室".to_owned(),
        mode: TrainingMode::Offline,
        hours: xueshi_core::Hours::from_whole(12),
        speaker: String::new(),
        description: String::new(),
    };
    let activity_id = activities::file(
        &mut conn,
        &new,
        Some(&school.admin),
        xueshi_store::now_ms(),
        7,
    )
    .await
    .unwrap();
    activities::add_attendance(
        &mut conn,
        &activity_id,
        std::slice::from_ref(&school.teacher),
        None,
    )
    .await
    .unwrap();
    drop(conn);

    let mut claim_draft = draft(&school, "新入职教师培训");
    claim_draft.category_id = center.id.clone();
    claim_draft.activity_id = Some(activity_id.clone());
    let id = create(test_db, &school.teacher, &claim_draft).await;
    attach(
        test_db,
        &id,
        &school.teacher,
        &sha('d'),
        EvidenceKind::Certificate,
        None,
    )
    .await;

    let mut conn = test_db.db.conn().await.unwrap();
    let claim = claims::get(&mut conn, &id).await.unwrap();
    assert_eq!(claim.activity_title.as_deref(), Some("新入职教师培训"));
    let inputs = claims::check_inputs(&mut conn, &claim).await.unwrap();
    let activity = inputs.activity.as_ref().unwrap();
    assert!(activity.credited_to_teacher);
    assert_eq!(activity.category_code, 1);
    assert_eq!(inputs.evidence.len(), 1);
    let neighbors = claims::neighbors(&mut conn, &claim).await.unwrap();
    let findings = check_claim(&inputs.facts(&claim), &neighbors, &CheckConfig::default());
    assert!(
        findings
            .iter()
            .any(|finding| finding.code == "school_accredited_item"),
        "{findings:?}"
    );
}
db_test!(credited_activity_blocks_claim);
