//! Evidence (佐证材料): the `blobs` rows describing stored files, the photo hash bands
//! that find near-identical photos, and the files attached to claims.
//!
//! The bytes live in the blob store (`crate::blobs`). A claim points at a file by its
//! SHA-256, so two claims with the same file share one stored object.

use jiff::civil::Date;
use sqlx::{AnyConnection, Connection};
use xueshi_core::{ClaimStatus, EvidenceKind, ReviewLevel};

use crate::columns;
use crate::{Result, StoreError, new_id, now_ms};

/// Number of 8-bit bands a 64-bit perceptual hash is split into.
pub const PHASH_BANDS: u32 = 8;

/// Returns the value of band `band` (0 to 7) of a perceptual hash: bits `8 * band` to
/// `8 * band + 7`. Two hashes that differ in at most 7 bits agree on at least one band.
pub fn phash_band(phash: u64, band: u32) -> i64 {
    ((phash >> (8 * band)) & 0xFF) as i64
}

/// Records the facts read from a stored file, unless they are recorded already, and
/// returns whether it inserted them. The bytes decide the facts, so the first record
/// of a SHA-256 is kept.
///
/// `phash` is the 64-bit perceptual hash of an image. Its eight bands are recorded for
/// the lookup of near-identical photos.
pub async fn record_blob(
    conn: &mut AnyConnection,
    sha256: &str,
    size: u64,
    file_type: &str,
    phash: Option<u64>,
    exif_date: Option<Date>,
) -> Result<bool> {
    let size = i64::try_from(size).map_err(|_| {
        StoreError::Other(anyhow::anyhow!(
            "file size {size} bytes is too large for the size column (BIGINT)"
        ))
    })?;
    let mut tx = conn.begin().await?;
    let result = sqlx::query(
        "INSERT INTO blobs (sha256, size, file_type, phash, exif_date, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(size)
    .bind(file_type)
    // The column is a signed BIGINT holding the same 64 bits.
    .bind(phash.map(|hash| hash as i64))
    .bind(exif_date.map(|date| date.to_string()))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    let inserted = result.rows_affected() == 1;
    if inserted && let Some(hash) = phash {
        for band in 0..PHASH_BANDS {
            sqlx::query(
                "INSERT INTO photo_hash_bands (sha256, band, band_value) VALUES ($1, $2, $3) \
                 ON CONFLICT (band, band_value, sha256) DO NOTHING",
            )
            .bind(sha256)
            .bind(band as i16)
            .bind(phash_band(hash, band))
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(inserted)
}

/// Deletes the record of a file that no evidence row uses and returns whether it did.
/// After `true` the caller may delete the bytes from the blob store.
///
/// NOTE: an upload of the same file that recorded it just before this call and attaches
/// it just after fails on the missing `blobs` row and must be retried by the uploader.
pub async fn forget_blob(conn: &mut AnyConnection, sha256: &str) -> Result<bool> {
    let mut tx = conn.begin().await?;
    if is_referenced(&mut tx, sha256).await? {
        return Ok(false);
    }
    sqlx::query("DELETE FROM photo_hash_bands WHERE sha256 = $1")
        .bind(sha256)
        .execute(&mut *tx)
        .await?;
    let result = sqlx::query(
        "DELETE FROM blobs WHERE sha256 = $1 AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.sha256 = $1)",
    )
    .bind(sha256)
    .execute(&mut *tx)
    .await?;
    if result.rows_affected() == 0 {
        // Another claim attached the file meanwhile (or it was never recorded): keep
        // its bands too.
        tx.rollback().await?;
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

/// An evidence file of a claim, with the facts recorded for its bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EvidenceRow {
    pub id: String,
    pub claim_id: String,
    pub sha256: String,
    pub kind: EvidenceKind,
    /// The name the file was uploaded under, for display and download.
    pub file_name: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
    pub size: i64,
    /// The type judged from the bytes, e.g. `jpeg`, `pdf`.
    pub file_type: String,
    pub phash: Option<u64>,
    pub exif_date: Option<Date>,
}

const EVIDENCE_COLUMNS: &str = "e.id, e.claim_id, e.sha256, e.kind, e.file_name, e.uploaded_by, \
    e.uploaded_at, b.size, b.file_type, b.phash, b.exif_date";

const EVIDENCE_FROM: &str = "FROM evidence e JOIN blobs b ON b.sha256 = e.sha256";

fn evidence_from_row(row: &sqlx::any::AnyRow) -> Result<EvidenceRow> {
    Ok(EvidenceRow {
        id: columns::text(row, "id")?,
        claim_id: columns::text(row, "claim_id")?,
        sha256: columns::text(row, "sha256")?,
        kind: columns::parsed(row, "kind")?,
        file_name: columns::text(row, "file_name")?,
        uploaded_by: columns::text(row, "uploaded_by")?,
        uploaded_at: columns::int(row, "uploaded_at")?,
        size: columns::int(row, "size")?,
        file_type: columns::text(row, "file_type")?,
        phash: columns::opt_int(row, "phash")?.map(|hash| hash as u64),
        exif_date: columns::opt_date(row, "exif_date")?,
    })
}

/// Locks a claim that the teacher may still edit, so that no submission slips in
/// between this check and the caller's write. A missing claim is `NotFound` and one that
/// is no longer a draft or returned is `Conflict`.
async fn lock_editable_claim(conn: &mut AnyConnection, claim_id: &str) -> Result<()> {
    let sql = format!(
        "UPDATE claims SET updated_at = $2 WHERE id = $1 AND status IN ({})",
        crate::claims::editable_statuses()
    );
    let result = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(claim_id)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    if result.rows_affected() == 1 {
        return Ok(());
    }
    let exists = sqlx::query("SELECT 1 AS one FROM claims WHERE id = $1")
        .bind(claim_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    Err(if exists {
        StoreError::Conflict
    } else {
        StoreError::NotFound
    })
}

/// Attaches a recorded file to a claim that is a draft or returned, and returns the
/// evidence id.
///
/// Record the file with [`record_blob`] first. A claim in another status is
/// `StoreError::Conflict`. The claim's version does not change, so a form open in
/// another tab can still be saved.
pub async fn add(
    conn: &mut AnyConnection,
    claim_id: &str,
    sha256: &str,
    kind: EvidenceKind,
    file_name: &str,
    uploaded_by: &str,
) -> Result<String> {
    let mut tx = conn.begin().await?;
    lock_editable_claim(&mut tx, claim_id).await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO evidence (id, claim_id, sha256, kind, file_name, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(claim_id)
    .bind(sha256)
    .bind(kind.as_str())
    .bind(file_name)
    .bind(uploaded_by)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Detaches a file from a claim that is a draft or returned, and returns the file's
/// SHA-256 and whether another evidence row still uses it.
///
/// The bytes stay. Remove them only when the file is no longer referenced, through
/// [`forget_blob`]. A claim in another status is `StoreError::Conflict`.
pub async fn remove(
    conn: &mut AnyConnection,
    evidence_id: &str,
    claim_id: &str,
) -> Result<(String, bool)> {
    let mut tx = conn.begin().await?;
    lock_editable_claim(&mut tx, claim_id).await?;
    let row = sqlx::query("SELECT sha256 FROM evidence WHERE id = $1 AND claim_id = $2")
        .bind(evidence_id)
        .bind(claim_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let sha256 = columns::text(&row, "sha256")?;
    sqlx::query("DELETE FROM evidence WHERE id = $1")
        .bind(evidence_id)
        .execute(&mut *tx)
        .await?;
    let referenced = is_referenced(&mut tx, &sha256).await?;
    tx.commit().await?;
    Ok((sha256, referenced))
}

/// Lists a claim's files in upload order.
pub async fn list(conn: &mut AnyConnection, claim_id: &str) -> Result<Vec<EvidenceRow>> {
    let sql = format!(
        "SELECT {EVIDENCE_COLUMNS} {EVIDENCE_FROM} WHERE e.claim_id = $1 ORDER BY e.uploaded_at, e.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(claim_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(evidence_from_row).collect()
}

/// An evidence file with what the web layer needs to decide who may download it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EvidenceAccess {
    pub evidence: EvidenceRow,
    pub teacher_id: String,
    pub unit_id: String,
    pub office_id: Option<String>,
    pub status: ClaimStatus,
    pub level: Option<ReviewLevel>,
}

/// Finds one evidence file with its claim's owner, unit, office, status and level.
pub async fn get(conn: &mut AnyConnection, evidence_id: &str) -> Result<EvidenceAccess> {
    let sql = format!(
        "SELECT {EVIDENCE_COLUMNS}, c.teacher_id, c.unit_id, c.office_id, c.status, c.level \
         {EVIDENCE_FROM} JOIN claims c ON c.id = e.claim_id WHERE e.id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(evidence_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(EvidenceAccess {
        evidence: evidence_from_row(&row)?,
        teacher_id: columns::text(&row, "teacher_id")?,
        unit_id: columns::text(&row, "unit_id")?,
        office_id: columns::opt_text(&row, "office_id")?,
        status: columns::parsed(&row, "status")?,
        level: columns::opt_parsed(&row, "level")?,
    })
}

/// Returns whether any claim's evidence uses the file.
pub async fn is_referenced(conn: &mut AnyConnection, sha256: &str) -> Result<bool> {
    let row = sqlx::query("SELECT 1 AS one FROM evidence WHERE sha256 = $1 LIMIT 1")
        .bind(sha256)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}
