//! The claims and files around a claim that the checks compare it with, and the flags
//! the checks leave.

use std::collections::HashSet;

use sqlx::AnyConnection;
use xueshi_core::checks::{
    ActivityFacts, ClaimFacts, EvidenceFacts, EvidenceMatch, Neighbors, OtherClaim, PhotoCandidate,
};
use xueshi_core::{EvidenceKind, Finding, Severity};

use super::ClaimDetail;
use crate::categories::{self, Category};
use crate::columns;
use crate::{Result, new_id, now_ms};

/// The facts about a claim that `xueshi_core::check_claim` reads besides its neighbors,
/// owned so that [`CheckInputs::facts`] can lend them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInputs {
    /// The claim's category with its current rules.
    pub category: Category,
    pub activity: Option<ActivityFacts>,
    pub evidence: Vec<EvidenceFacts>,
}

impl CheckInputs {
    /// Builds the facts of `claim` for `xueshi_core::check_claim`.
    pub fn facts<'a>(&'a self, claim: &ClaimDetail) -> ClaimFacts<'a> {
        ClaimFacts {
            category_code: self.category.code,
            category_name: &self.category.name,
            category: &self.category.rules,
            topic: claim.topic.clone(),
            organizer: claim.organizer.clone(),
            start_date: claim.start_date,
            end_date: claim.end_date,
            claimed_hours: claim.claimed_hours,
            notes_text: claim.notes.clone(),
            certificate_date: claim.certificate_date,
            evidence: self.evidence.clone(),
            activity: self.activity.clone(),
        }
    }
}

/// Loads the category, the ledger activity and the evidence facts of a claim for its
/// checks. The activity counts as credited to the teacher when the teacher is on its
/// attendance and its category is school-accredited.
pub async fn check_inputs(conn: &mut AnyConnection, claim: &ClaimDetail) -> Result<CheckInputs> {
    let category = categories::get(conn, &claim.category_id).await?;
    let activity = match &claim.activity_id {
        Some(activity_id) => Some(activity_facts(conn, activity_id, &claim.teacher_id).await?),
        None => None,
    };
    let evidence = claim
        .evidence
        .iter()
        .map(|file| EvidenceFacts {
            id: file.id.clone(),
            kind: file.kind,
            sha256: file.sha256.clone(),
            phash: file.phash,
            exif_date: file.exif_date,
        })
        .collect();
    Ok(CheckInputs {
        category,
        activity,
        evidence,
    })
}

async fn activity_facts(
    conn: &mut AnyConnection,
    activity_id: &str,
    teacher_id: &str,
) -> Result<ActivityFacts> {
    let activity = crate::activities::get(conn, activity_id).await?;
    let credited_to_teacher = crate::activities::is_credited(conn, activity_id, teacher_id).await?;
    Ok(ActivityFacts {
        id: activity.id,
        hours: activity.hours,
        start_date: activity.start_date,
        end_date: activity.end_date,
        category_code: activity.category_code,
        credited_to_teacher,
    })
}

/// Codes of the flags that concern two claims alike, so that the related claim gets a
/// flag pointing back: the same file, or a near-identical photo, in two claims.
pub const MIRRORED_FLAG_CODES: [&str; 2] = ["identical_evidence", "similar_photo"];

/// Gathers what the checks compare `claim` with:
/// - every other claim of the same teacher in the same term, whatever its status;
/// - files of other claims, of any teacher and term, with the same SHA-256 as one of
///   this claim's files;
/// - photos of other claims of the same term whose perceptual hash shares at least one
///   8-bit band with one of this claim's photos (every photo within 7 bits does).
///
/// Drafts are left out of the last two: they are hidden from reviewers, and a draft's
/// own check finds this claim when the draft is submitted.
pub async fn neighbors(conn: &mut AnyConnection, claim: &ClaimDetail) -> Result<Neighbors> {
    Ok(Neighbors {
        same_teacher_claims: same_teacher_claims(conn, claim).await?,
        identical_evidence: identical_evidence(conn, claim).await?,
        photo_candidates: photo_candidates(conn, claim).await?,
    })
}

async fn same_teacher_claims(
    conn: &mut AnyConnection,
    claim: &ClaimDetail,
) -> Result<Vec<OtherClaim>> {
    let rows = sqlx::query(
        "SELECT id, topic, start_date, end_date, activity_id, status FROM claims \
         WHERE teacher_id = $1 AND term_code = $2 AND id <> $3 ORDER BY start_date, id",
    )
    .bind(&claim.teacher_id)
    .bind(claim.term_code.to_string())
    .bind(&claim.id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(OtherClaim {
                id: columns::text(row, "id")?,
                topic: columns::text(row, "topic")?,
                start_date: columns::date(row, "start_date")?,
                end_date: columns::date(row, "end_date")?,
                activity_id: columns::opt_text(row, "activity_id")?,
                status: columns::parsed(row, "status")?,
            })
        })
        .collect()
}

async fn identical_evidence(
    conn: &mut AnyConnection,
    claim: &ClaimDetail,
) -> Result<Vec<EvidenceMatch>> {
    let rows = sqlx::query(
        "SELECT DISTINCT other.sha256, other.claim_id, c.teacher_id \
         FROM evidence mine JOIN evidence other ON other.sha256 = mine.sha256 AND other.claim_id <> mine.claim_id \
         JOIN claims c ON c.id = other.claim_id \
         WHERE mine.claim_id = $1 AND c.status <> 'draft' ORDER BY other.sha256, other.claim_id",
    )
    .bind(&claim.id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(EvidenceMatch {
                sha256: columns::text(row, "sha256")?,
                other_claim_id: columns::text(row, "claim_id")?,
                other_teacher: columns::text(row, "teacher_id")? != claim.teacher_id,
            })
        })
        .collect()
}

async fn photo_candidates(
    conn: &mut AnyConnection,
    claim: &ClaimDetail,
) -> Result<Vec<PhotoCandidate>> {
    // The join on (band, band_value) runs on the primary key of photo_hash_bands.
    let rows = sqlx::query(
        "SELECT DISTINCT b.phash, other.claim_id, c.teacher_id \
         FROM evidence mine \
         JOIN photo_hash_bands my_band ON my_band.sha256 = mine.sha256 \
         JOIN photo_hash_bands their_band ON their_band.band = my_band.band \
              AND their_band.band_value = my_band.band_value \
         JOIN evidence other ON other.sha256 = their_band.sha256 AND other.kind = $2 \
         JOIN claims c ON c.id = other.claim_id \
         JOIN blobs b ON b.sha256 = other.sha256 \
         WHERE mine.claim_id = $1 AND mine.kind = $2 AND other.claim_id <> $1 \
         AND c.term_code = $3 AND c.status <> 'draft' AND b.phash IS NOT NULL \
         ORDER BY other.claim_id, b.phash",
    )
    .bind(&claim.id)
    .bind(EvidenceKind::Photo.as_str())
    .bind(claim.term_code.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PhotoCandidate {
                phash: columns::int(row, "phash")? as u64,
                other_claim_id: columns::text(row, "claim_id")?,
                other_teacher: columns::text(row, "teacher_id")? != claim.teacher_id,
            })
        })
        .collect()
}

/// Replaces the flags of a claim with the non-blocking findings of its checks. Blocking
/// findings are skipped, since they stop a submission instead of being stored.
///
/// A finding in [`MIRRORED_FLAG_CODES`] that names a related claim also flags that
/// claim, pointing back, unless it has such a flag already, so that the same
/// certificate in a colleague's claim is flagged on both.
///
/// NOTE: a check names only the first related claim of a finding, so when three claims
/// share a file, one of the other two gets the mirror flag. Mirror flags stay on the
/// related claim when this claim's flags are replaced later.
pub async fn replace_flags(
    conn: &mut AnyConnection,
    claim_id: &str,
    findings: &[Finding],
) -> Result<()> {
    sqlx::query("DELETE FROM claim_flags WHERE claim_id = $1")
        .bind(claim_id)
        .execute(&mut *conn)
        .await?;
    let now = now_ms();
    let mut mirrored: HashSet<(&str, &str)> = HashSet::new();
    for finding in findings {
        if finding.severity != Severity::Flag {
            continue;
        }
        insert_flag(
            conn,
            claim_id,
            finding.code,
            &finding.message,
            finding.related_claim_id.as_deref(),
            now,
        )
        .await?;

        let Some(related) = finding.related_claim_id.as_deref() else {
            continue;
        };
        if !MIRRORED_FLAG_CODES.contains(&finding.code) || !mirrored.insert((finding.code, related))
        {
            continue;
        }
        if has_flag(conn, related, finding.code, claim_id).await? {
            continue;
        }
        let message = mirror_message(conn, finding.code, claim_id, related).await?;
        insert_flag(conn, related, finding.code, &message, Some(claim_id), now).await?;
    }
    Ok(())
}

async fn insert_flag(
    conn: &mut AnyConnection,
    claim_id: &str,
    code: &str,
    message: &str,
    related_claim_id: Option<&str>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO claim_flags (id, claim_id, code, message, related_claim_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id())
    .bind(claim_id)
    .bind(code)
    .bind(message)
    .bind(related_claim_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn has_flag(
    conn: &mut AnyConnection,
    claim_id: &str,
    code: &str,
    related_claim_id: &str,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM claim_flags WHERE claim_id = $1 AND code = $2 AND related_claim_id = $3",
    )
    .bind(claim_id)
    .bind(code)
    .bind(related_claim_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.is_some())
}

/// Writes the message of the flag on the related claim, which points back at the
/// claim `source_id` whose check found the pair.
async fn mirror_message(
    conn: &mut AnyConnection,
    code: &str,
    source_id: &str,
    related_id: &str,
) -> Result<String> {
    let row = sqlx::query(
        "SELECT s.topic, CASE WHEN s.teacher_id = r.teacher_id THEN 1 ELSE 0 END AS same_teacher \
         FROM claims s JOIN claims r ON r.id = $2 WHERE s.id = $1",
    )
    .bind(source_id)
    .bind(related_id)
    .fetch_one(&mut *conn)
    .await?;
    let topic = columns::text(&row, "topic")?;
    let same_teacher = columns::flag(&row, "same_teacher")?;
    let message = match (code, same_teacher) {
        ("similar_photo", _) => format!(
            "照片与其他教师的申报“{topic}”中的照片高度相似，请核实照片是否为本次培训现场所拍。"
        ),
        (_, true) => format!(
            "佐证材料与本人另一条申报“{topic}”中的文件完全相同，请确认不是重复申报或传错了文件。"
        ),
        (_, false) => format!(
            "佐证材料与其他教师的申报“{topic}”中的文件完全相同，请核实该材料是否为本人参加培训所得。"
        ),
    };
    Ok(message)
}
