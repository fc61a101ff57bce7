use super::*;
use crate::category::{CategoryDefault, default_categories};

fn category(code: u8) -> CategoryDefault {
    default_categories()
        .into_iter()
        .find(|category| category.code == code)
        .unwrap()
}

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

fn file(id: &str, kind: EvidenceKind) -> EvidenceFacts {
    EvidenceFacts {
        id: id.to_owned(),
        kind,
        sha256: format!("{id:0>64}"),
        phash: None,
        exif_date: None,
    }
}

fn activity(id: &str, hours: i64, category_code: u8) -> ActivityFacts {
    ActivityFacts {
        id: id.to_owned(),
        hours: Hours::from_whole(hours),
        start_date: date("2023-03-15"),
        end_date: date("2023-03-15"),
        category_code,
        credited_to_teacher: false,
    }
}

/// Builds an external training claim that passes every check.
fn external_claim(category: &CategoryDefault) -> ClaimFacts<'_> {
    ClaimFacts {
        category_code: category.code,
        category_name: category.name,
        category: &category.rules,
        topic: "高校教师教学能力提升培训".to_owned(),
        organizer: "省高校师资培训中心".to_owned(),
        start_date: date("2023-03-15"),
        end_date: date("2023-03-15"),
        claimed_hours: Hours::from_whole(8),
        notes_text: String::new(),
        certificate_date: Some(date("2023-03-15")),
        evidence: vec![file("c1", EvidenceKind::Certificate)],
        activity: None,
    }
}

/// Builds a unit activity claim, linked to its ledger activity, that passes every check.
fn unit_activity_claim(category: &CategoryDefault) -> ClaimFacts<'_> {
    ClaimFacts {
        topic: "青年教师说课交流活动".to_owned(),
        organizer: "财经学院".to_owned(),
        claimed_hours: Hours::from_whole(2),
        certificate_date: None,
        evidence: vec![file("s1", EvidenceKind::SignIn)],
        activity: Some(activity("a1", 2, category.code)),
        ..external_claim(category)
    }
}

fn other_claim(id: &str, topic: &str, status: ClaimStatus) -> OtherClaim {
    OtherClaim {
        id: id.to_owned(),
        topic: topic.to_owned(),
        start_date: date("2023-03-15"),
        end_date: date("2023-03-15"),
        activity_id: None,
        status,
    }
}

fn run(facts: &ClaimFacts<'_>, neighbors: &Neighbors) -> Vec<Finding> {
    check_claim(facts, neighbors, &CheckConfig::default())
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|finding| finding.code).collect()
}

fn find<'f>(findings: &'f [Finding], code: &str) -> &'f Finding {
    findings
        .iter()
        .find(|finding| finding.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(findings)))
}

#[test]
fn clean_external_claim_has_no_findings() {
    let category = category(5);
    let findings = run(&external_claim(&category), &Neighbors::default());
    assert_eq!(codes(&findings), Vec::<&str>::new());
}

#[test]
fn clean_unit_activity_claim_has_no_findings() {
    let category = category(4);
    let findings = run(&unit_activity_claim(&category), &Neighbors::default());
    assert_eq!(codes(&findings), Vec::<&str>::new());
}

#[test]
fn lecture_series_of_96_hours_blocked() {
    let category = category(4);
    let facts = ClaimFacts {
        topic: "数字媒体艺术专业系列讲座".to_owned(),
        claimed_hours: Hours::from_whole(96),
        ..unit_activity_claim(&category)
    };
    let findings = run(&facts, &Neighbors::default());

    assert!(has_blocking(&findings));
    let cap = find(&findings, "hours_over_claim_cap");
    assert_eq!(cap.severity, Severity::Blocking);
    assert!(
        cap.message
            .starts_with("申报 96 学时超过“院（部）组织的教师发展活动”每条上限 16 学时。"),
        "{}",
        cap.message
    );
    let daily = find(&findings, "hours_over_daily_max");
    assert!(daily.message.contains("共 1 天"), "{}", daily.message);
    assert!(
        daily.message.contains("最多可申报 8 学时"),
        "{}",
        daily.message
    );
    let ledger = find(&findings, "hours_over_activity");
    assert!(
        ledger.message.contains("备案的 2 学时"),
        "{}",
        ledger.message
    );
}

#[test]
fn further_study_allows_long_claim() {
    let category = category(7);
    let facts = ClaimFacts {
        topic: "清华大学国内访问学者研修".to_owned(),
        start_date: date("2023-03-01"),
        end_date: date("2023-03-12"),
        claimed_hours: Hours::from_whole(96),
        notes_text: "研".repeat(500),
        ..external_claim(&category)
    };
    let findings = run(&facts, &Neighbors::default());
    assert_eq!(codes(&findings), Vec::<&str>::new());
}

#[test]
fn daily_max_counts_every_day_of_span() {
    let category = category(5);
    let facts = ClaimFacts {
        start_date: date("2023-07-10"),
        end_date: date("2023-07-14"),
        claimed_hours: Hours::from_whole(41),
        ..external_claim(&category)
    };
    let finding = check_daily_max(&facts).unwrap();
    assert!(finding.message.contains("共 5 天"), "{}", finding.message);
    assert!(
        finding.message.contains("最多可申报 40 学时"),
        "{}",
        finding.message
    );

    let at_limit = ClaimFacts {
        claimed_hours: Hours::from_whole(40),
        ..facts
    };
    assert_eq!(check_daily_max(&at_limit), None);
}

#[test]
fn empty_topic_is_blocked() {
    let category = category(5);
    let facts = ClaimFacts {
        topic: " \u{3000}".to_owned(),
        ..external_claim(&category)
    };
    let finding = check_topic_present(&facts).unwrap();
    assert_eq!(finding.severity, Severity::Blocking);
    assert!(finding.message.contains("培训主题不能为空"));
}

#[test]
fn end_before_start_is_blocked() {
    let category = category(5);
    let facts = ClaimFacts {
        start_date: date("2023-07-14"),
        end_date: date("2023-07-12"),
        ..external_claim(&category)
    };
    let findings = run(&facts, &Neighbors::default());
    let finding = find(&findings, "end_before_start");
    assert!(
        finding.message.contains("2023-07-12"),
        "{}",
        finding.message
    );
    assert!(!codes(&findings).contains(&"hours_over_daily_max"));
}

#[test]
fn zero_hours_are_blocked() {
    let category = category(5);
    let facts = ClaimFacts {
        claimed_hours: Hours::ZERO,
        ..external_claim(&category)
    };
    assert_eq!(check_hours_step(&facts).unwrap().code, "hours_not_positive");
}

#[test]
fn hours_off_half_step_are_blocked() {
    let category = category(5);
    let facts = ClaimFacts {
        claimed_hours: Hours::from_tenths(12),
        ..external_claim(&category)
    };
    let finding = check_hours_step(&facts).unwrap();
    assert_eq!(finding.code, "hours_not_half_step");
    assert!(finding.message.contains("1.2"), "{}", finding.message);
}

#[test]
fn half_hours_pass_step_check() {
    let category = category(5);
    let facts = ClaimFacts {
        claimed_hours: Hours::from_tenths(15),
        ..external_claim(&category)
    };
    assert_eq!(check_hours_step(&facts), None);
}

#[test]
fn notice_and_photos_alone_are_not_evidence() {
    let category = category(5);
    let facts = ClaimFacts {
        evidence: vec![
            file("n1", EvidenceKind::Notice),
            file("p1", EvidenceKind::Photo),
        ],
        ..external_claim(&category)
    };
    let finding = check_evidence_present(&facts).unwrap();
    assert_eq!(finding.severity, Severity::Blocking);
    assert!(
        finding
            .message
            .contains("结业证书/证书、培训记录或学习截图（任选其一）"),
        "{}",
        finding.message
    );
    assert!(
        finding.message.contains("不少于 200 字"),
        "{}",
        finding.message
    );
}

#[test]
fn typed_notes_satisfy_notes_kind() {
    let category = category(5);
    let facts = ClaimFacts {
        evidence: vec![file("p1", EvidenceKind::Photo)],
        notes_text: "第一讲介绍了混合式教学设计的基本模式。".repeat(20),
        ..external_claim(&category)
    };
    assert_eq!(check_evidence_present(&facts), None);
}

#[test]
fn short_typed_notes_do_not_satisfy() {
    let category = category(5);
    let facts = ClaimFacts {
        evidence: vec![],
        notes_text: "听了讲座，收获很大。".to_owned(),
        ..external_claim(&category)
    };
    assert!(check_evidence_present(&facts).is_some());
}

#[test]
fn missing_groups_are_all_named() {
    let category = category(8);
    let facts = ClaimFacts {
        topic: "企业实践锻炼".to_owned(),
        evidence: vec![],
        ..external_claim(&category)
    };
    let finding = check_evidence_present(&facts).unwrap();
    assert!(
        finding
            .message
            .contains("结业证书/证书或其他（任选其一）；培训记录"),
        "{}",
        finding.message
    );
}

#[test]
fn missing_activity_is_blocked() {
    let category = category(3);
    let facts = ClaimFacts {
        activity: None,
        ..unit_activity_claim(&category)
    };
    let finding = check_activity_required(&facts).unwrap();
    assert!(
        finding
            .message
            .contains("“院（部）组织的培训”类申报必须关联")
    );
}

#[test]
fn second_claim_for_activity_is_blocked() {
    let category = category(4);
    let facts = unit_activity_claim(&category);
    let mut earlier = other_claim("claim-7", "青年教师说课交流", ClaimStatus::Accredited);
    earlier.activity_id = Some("a1".to_owned());
    let neighbors = Neighbors {
        same_teacher_claims: vec![earlier],
        ..Neighbors::default()
    };
    let finding = check_activity_claimed_twice(&facts, &neighbors).unwrap();
    assert_eq!(finding.severity, Severity::Blocking);
    assert_eq!(finding.related_claim_id.as_deref(), Some("claim-7"));
    assert!(finding.message.contains("已认定"), "{}", finding.message);
}

#[test]
fn returned_claim_for_activity_asks_to_revise() {
    let category = category(4);
    let facts = unit_activity_claim(&category);
    let mut returned = other_claim("claim-7", "青年教师说课交流", ClaimStatus::Returned);
    returned.activity_id = Some("a1".to_owned());
    let neighbors = Neighbors {
        same_teacher_claims: vec![returned],
        ..Neighbors::default()
    };
    let finding = check_activity_claimed_twice(&facts, &neighbors).unwrap();
    assert!(
        finding.message.contains("修改那条被退回的申报"),
        "{}",
        finding.message
    );
}

#[test]
fn draft_or_rejected_claim_for_activity_allows_submit() {
    let category = category(4);
    let facts = unit_activity_claim(&category);
    let mut draft = other_claim("claim-7", "青年教师说课交流", ClaimStatus::Draft);
    draft.activity_id = Some("a1".to_owned());
    let mut rejected = other_claim("claim-8", "青年教师说课交流", ClaimStatus::Rejected);
    rejected.activity_id = Some("a1".to_owned());
    let neighbors = Neighbors {
        same_teacher_claims: vec![draft, rejected],
        ..Neighbors::default()
    };
    let findings = run(&facts, &neighbors);
    assert!(!has_blocking(&findings), "{:?}", codes(&findings));
    let earlier = find(&findings, "activity_rejected_before");
    assert_eq!(earlier.related_claim_id.as_deref(), Some("claim-8"));
}

#[test]
fn school_credited_activity_is_blocked() {
    let category = category(1);
    let mut facts = unit_activity_claim(&category);
    facts.topic = "新入职教师岗前培训".to_owned();
    if let Some(activity) = facts.activity.as_mut() {
        activity.credited_to_teacher = true;
    }
    let findings = run(&facts, &Neighbors::default());
    let finding = find(&findings, "school_accredited_item");
    assert_eq!(finding.severity, Severity::Blocking);
    assert!(finding.message.contains("学校认定项目"));
}

#[test]
fn activity_of_other_category_is_flagged() {
    let category = category(4);
    let mut facts = unit_activity_claim(&category);
    if let Some(activity) = facts.activity.as_mut() {
        activity.category_code = 3;
    }
    let finding = check_activity_category(&facts).unwrap();
    assert_eq!(finding.severity, Severity::Flag);
}

#[test]
fn dates_outside_activity_are_flagged() {
    let category = category(4);
    let facts = ClaimFacts {
        end_date: date("2023-03-16"),
        ..unit_activity_claim(&category)
    };
    let finding = check_dates_within_activity(&facts).unwrap();
    assert!(
        finding.message.contains("2023-03-16"),
        "{}",
        finding.message
    );
}

#[test]
fn similar_topic_with_overlapping_dates_is_flagged() {
    let category = category(5);
    let facts = ClaimFacts {
        topic: "2023年高校教师教学能力提升专题培训".to_owned(),
        ..external_claim(&category)
    };
    let neighbors = Neighbors {
        same_teacher_claims: vec![other_claim(
            "claim-3",
            "高校教师教学能力提升培训",
            ClaimStatus::Pending,
        )],
        ..Neighbors::default()
    };
    let findings = check_similar_topics(&facts, &neighbors, &CheckConfig::default());
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, Severity::Flag);
    assert_eq!(findings[0].related_claim_id.as_deref(), Some("claim-3"));
}

#[test]
fn similar_topic_on_other_dates_is_not_flagged() {
    let category = category(5);
    let facts = external_claim(&category);
    let mut later = other_claim("claim-3", "高校教师教学能力提升培训", ClaimStatus::Pending);
    later.start_date = date("2023-04-01");
    later.end_date = date("2023-04-01");
    let neighbors = Neighbors {
        same_teacher_claims: vec![later],
        ..Neighbors::default()
    };
    assert!(check_similar_topics(&facts, &neighbors, &CheckConfig::default()).is_empty());
}

#[test]
fn similar_draft_is_not_flagged() {
    let category = category(5);
    let facts = external_claim(&category);
    let neighbors = Neighbors {
        same_teacher_claims: vec![other_claim(
            "claim-3",
            "高校教师教学能力提升培训",
            ClaimStatus::Draft,
        )],
        ..Neighbors::default()
    };
    assert!(check_similar_topics(&facts, &neighbors, &CheckConfig::default()).is_empty());
}

#[test]
fn different_topic_same_day_is_not_flagged() {
    let category = category(5);
    let facts = external_claim(&category);
    let neighbors = Neighbors {
        same_teacher_claims: vec![other_claim(
            "claim-3",
            "产教融合主题培训",
            ClaimStatus::Pending,
        )],
        ..Neighbors::default()
    };
    assert!(check_similar_topics(&facts, &neighbors, &CheckConfig::default()).is_empty());
}

#[test]
fn identical_file_of_own_claim_is_flagged() {
    let category = category(5);
    let facts = external_claim(&category);
    let sha = facts.evidence[0].sha256.clone();
    let neighbors = Neighbors {
        identical_evidence: vec![EvidenceMatch {
            sha256: sha.to_uppercase(),
            other_claim_id: "claim-2".to_owned(),
            other_teacher: false,
        }],
        ..Neighbors::default()
    };
    let findings = check_identical_evidence(&facts, &neighbors);
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0].message.contains("本人另外 1 条申报"),
        "{}",
        findings[0].message
    );
    assert_eq!(findings[0].related_claim_id.as_deref(), Some("claim-2"));
}

#[test]
fn identical_photo_of_other_teachers_is_counted() {
    let category = category(5);
    let mut facts = external_claim(&category);
    facts.evidence.push(file("p1", EvidenceKind::Photo));
    let sha = facts.evidence[1].sha256.clone();
    let matches = ["claim-5", "claim-6", "claim-6"].map(|id| EvidenceMatch {
        sha256: sha.clone(),
        other_claim_id: id.to_owned(),
        other_teacher: true,
    });
    let neighbors = Neighbors {
        identical_evidence: matches.to_vec(),
        ..Neighbors::default()
    };
    let findings = check_identical_evidence(&facts, &neighbors);
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0].message.contains("其他教师 2 条申报"),
        "{}",
        findings[0].message
    );
    assert!(
        findings[0].message.contains("照片"),
        "{}",
        findings[0].message
    );
}

#[test]
fn file_uploaded_twice_is_flagged_once() {
    let category = category(5);
    let mut facts = external_claim(&category);
    facts.evidence.push(facts.evidence[0].clone());
    let neighbors = Neighbors {
        identical_evidence: vec![EvidenceMatch {
            sha256: facts.evidence[0].sha256.clone(),
            other_claim_id: "claim-2".to_owned(),
            other_teacher: false,
        }],
        ..Neighbors::default()
    };
    assert_eq!(check_identical_evidence(&facts, &neighbors).len(), 1);
}

#[test]
fn shared_notice_and_sign_in_are_not_flagged() {
    let category = category(4);
    let mut facts = unit_activity_claim(&category);
    facts.evidence.push(file("n1", EvidenceKind::Notice));
    let neighbors = Neighbors {
        identical_evidence: facts
            .evidence
            .iter()
            .map(|file| EvidenceMatch {
                sha256: file.sha256.clone(),
                other_claim_id: "claim-9".to_owned(),
                other_teacher: true,
            })
            .collect(),
        ..Neighbors::default()
    };
    assert!(check_identical_evidence(&facts, &neighbors).is_empty());
}

fn photo_with_hash(phash: u64) -> EvidenceFacts {
    EvidenceFacts {
        phash: Some(phash),
        ..file("p1", EvidenceKind::Photo)
    }
}

fn candidate(phash: u64, claim_id: &str, other_teacher: bool) -> PhotoCandidate {
    PhotoCandidate {
        phash,
        other_claim_id: claim_id.to_owned(),
        other_teacher,
    }
}

#[test]
fn near_identical_photo_of_other_teacher_is_flagged() {
    let category = category(5);
    let mut facts = external_claim(&category);
    facts.evidence.push(photo_with_hash(0xF0F0_F0F0_F0F0_F0F0));
    let neighbors = Neighbors {
        photo_candidates: vec![
            candidate(0xF0F0_F0F0_F0F0_F0F3, "claim-4", true),
            candidate(0x0F0F_0F0F_0F0F_0F0F, "claim-5", true),
        ],
        ..Neighbors::default()
    };
    let findings = check_similar_photos(&facts, &neighbors, &CheckConfig::default());
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].related_claim_id.as_deref(), Some("claim-4"));
    assert!(
        findings[0].message.contains("只差 2 位"),
        "{}",
        findings[0].message
    );
}

#[test]
fn similar_photo_of_own_claim_is_not_flagged() {
    let category = category(5);
    let mut facts = external_claim(&category);
    facts.evidence.push(photo_with_hash(42));
    let neighbors = Neighbors {
        photo_candidates: vec![candidate(42, "claim-4", false)],
        ..Neighbors::default()
    };
    assert!(check_similar_photos(&facts, &neighbors, &CheckConfig::default()).is_empty());
}

#[test]
fn photo_over_distance_is_not_flagged() {
    let category = category(5);
    let mut facts = external_claim(&category);
    facts.evidence.push(photo_with_hash(0));
    let neighbors = Neighbors {
        photo_candidates: vec![candidate(0x7F, "claim-4", true)],
        ..Neighbors::default()
    };
    let config = CheckConfig::default();
    assert_eq!((0x7Fu64).count_ones(), config.phash_max_distance + 1);
    assert!(check_similar_photos(&facts, &neighbors, &config).is_empty());
}

#[test]
fn byte_identical_photo_is_flagged_once() {
    let category = category(5);
    let mut facts = external_claim(&category);
    facts.evidence.push(photo_with_hash(42));
    let sha = facts.evidence[1].sha256.clone();
    let neighbors = Neighbors {
        identical_evidence: vec![EvidenceMatch {
            sha256: sha,
            other_claim_id: "claim-4".to_owned(),
            other_teacher: true,
        }],
        photo_candidates: vec![candidate(42, "claim-4", true)],
        ..Neighbors::default()
    };
    let findings = run(&facts, &neighbors);
    assert_eq!(codes(&findings), vec!["identical_evidence"]);
}

#[test]
fn certificate_before_training_is_flagged() {
    let category = category(5);
    let facts = ClaimFacts {
        certificate_date: Some(date("2022-11-20")),
        ..external_claim(&category)
    };
    let findings = check_evidence_dates(&facts);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, "certificate_before_training");
    assert!(
        findings[0].message.contains("2022-11-20"),
        "{}",
        findings[0].message
    );
}

#[test]
fn photo_taken_before_training_is_flagged() {
    let category = category(5);
    let mut facts = external_claim(&category);
    facts.evidence.push(EvidenceFacts {
        exif_date: Some(date("2023-01-05")),
        ..file("p1", EvidenceKind::Photo)
    });
    facts.evidence.push(EvidenceFacts {
        exif_date: Some(date("2023-03-01")),
        ..file("n1", EvidenceKind::Notice)
    });
    let findings = check_evidence_dates(&facts);
    assert_eq!(codes(&findings), vec!["evidence_dated_before_training"]);
    assert!(
        findings[0].message.contains("2023-01-05"),
        "{}",
        findings[0].message
    );
}

#[test]
fn photo_on_training_day_is_not_flagged() {
    let category = category(5);
    let mut facts = external_claim(&category);
    facts.evidence.push(EvidenceFacts {
        exif_date: Some(date("2023-03-15")),
        ..file("p1", EvidenceKind::Photo)
    });
    assert!(check_evidence_dates(&facts).is_empty());
}

#[test]
fn bundled_topic_is_flagged() {
    let category = category(6);
    let facts = ClaimFacts {
        topic: "人工智能讲座、学术论文写作报告会".to_owned(),
        ..external_claim(&category)
    };
    let finding = check_bundled_topic(&facts).unwrap();
    assert_eq!(finding.severity, Severity::Flag);
    assert!(
        finding.message.contains("人工智能讲座、学术论文写作报告会"),
        "{}",
        finding.message
    );
}

#[test]
fn one_training_on_two_subjects_is_not_flagged() {
    let category = category(3);
    let facts = ClaimFacts {
        topic: "课程思政与教学设计专题培训".to_owned(),
        ..unit_activity_claim(&category)
    };
    assert_eq!(check_bundled_topic(&facts), None);
}

#[test]
fn topic_outside_category_scope_is_flagged() {
    let category = category(6);
    let facts = ClaimFacts {
        topic: "企业实践锻炼".to_owned(),
        ..external_claim(&category)
    };
    let finding = check_topic_scope(&facts).unwrap();
    assert_eq!(finding.severity, Severity::Flag);
    assert!(
        finding.message.contains("“校内组织的其他学术活动”类别"),
        "{}",
        finding.message
    );
}

#[test]
fn topic_in_category_scope_is_not_flagged() {
    let category = category(8);
    let facts = ClaimFacts {
        topic: "企业实践锻炼".to_owned(),
        ..external_claim(&category)
    };
    assert_eq!(check_topic_scope(&facts), None);
}

#[test]
fn blocking_findings_come_before_flags() {
    let category = category(6);
    let facts = ClaimFacts {
        topic: "企业实践锻炼".to_owned(),
        claimed_hours: Hours::from_whole(96),
        ..external_claim(&category)
    };
    let findings = run(&facts, &Neighbors::default());
    let first_flag = findings
        .iter()
        .position(|finding| finding.severity == Severity::Flag)
        .unwrap();
    assert!(
        findings[first_flag..]
            .iter()
            .all(|finding| finding.severity == Severity::Flag),
        "{:?}",
        codes(&findings)
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn check_claim_accepts_any_text_and_numbers(
            topic in "\\PC{0,40}",
            notes in "\\PC{0,40}",
            tenths in -1_000i64..200_000,
            start_offset in -400i32..400,
            length in -30i32..400,
            phash in any::<u64>(),
        ) {
            let category = category(4);
            let start = date("2023-03-15").checked_add(jiff::Span::new().days(start_offset)).unwrap();
            let end = start.checked_add(jiff::Span::new().days(length)).unwrap();
            let facts = ClaimFacts {
                topic: topic.clone(),
                notes_text: notes,
                start_date: start,
                end_date: end,
                claimed_hours: Hours::from_tenths(tenths),
                evidence: vec![photo_with_hash(phash)],
                ..unit_activity_claim(&category)
            };
            let neighbors = Neighbors {
                same_teacher_claims: vec![other_claim("claim-2", &topic, ClaimStatus::Pending)],
                photo_candidates: vec![candidate(!phash, "claim-3", true)],
                ..Neighbors::default()
            };
            let findings = run(&facts, &neighbors);
            for finding in &findings {
                prop_assert!(!finding.message.is_empty());
            }
        }
    }
}

#[test]
fn unfinished_training_is_blocked() {
    let term = crate::TermCode::parse("2026-2027-1").unwrap();
    let findings = check_claim_dates(
        date("2026-12-10"),
        date("2026-12-11"),
        date("2026-12-04"),
        term,
    );
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].code, "training_not_finished");
    assert_eq!(findings[0].severity, Severity::Blocking);
    assert!(findings[0].message.contains("2026-12-11"), "{findings:?}");
}

#[test]
fn dates_outside_term_are_flagged() {
    let term = crate::TermCode::parse("2026-2027-1").unwrap();
    let findings = check_claim_dates(
        date("2025-03-01"),
        date("2025-03-02"),
        date("2026-12-04"),
        term,
    );
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].code, "dates_outside_term");
    assert_eq!(findings[0].severity, Severity::Flag);
    assert!(findings[0].message.contains("2026-09-01"), "{findings:?}");
}

#[test]
fn dates_inside_term_pass() {
    let term = crate::TermCode::parse("2026-2027-1").unwrap();
    let findings = check_claim_dates(
        date("2026-11-20"),
        date("2026-12-04"),
        date("2026-12-04"),
        term,
    );
    assert!(findings.is_empty(), "{findings:?}");
}
