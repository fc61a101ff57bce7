//! Creating, editing and deleting drafts.

use sqlx::{AnyConnection, Connection};

use super::ClaimDraft;
use crate::audit::{self, Actor, AuditEntry};
use crate::columns;
use crate::{Result, StoreError, new_id, now_ms};

/// How long after creating a draft an identical create returns that draft instead of a
/// second one: a double click, or the same form sent from two tabs without a token.
pub const DUPLICATE_WINDOW_MS: i64 = 10_000;

/// Creates a draft claim and returns its id and whether it was created.
///
/// A create returns the existing claim with `created = false` when
/// - `form_token` names a claim of this teacher (the same form sent twice), or
/// - the teacher created a draft with the same term, category, topic, dates and claimed
///   hours within the last [`DUPLICATE_WINDOW_MS`].
///
/// Both hold under concurrent creates: the teacher's row is locked for the transaction,
/// and a `form_token` that another connection inserted first is read back after the
/// unique index rejects the second insert. A token of another teacher's claim is
/// `StoreError::Unique`. A category that is not one of `draft.term` is
/// `StoreError::NotFound`.
pub async fn create_draft(
    conn: &mut AnyConnection,
    teacher_id: &str,
    unit_id: &str,
    office_id: Option<&str>,
    draft: &ClaimDraft,
    form_token: Option<&str>,
) -> Result<(String, bool)> {
    let mut tx = conn.begin().await?;
    lock_person(&mut tx, teacher_id).await?;

    if let Some(token) = form_token
        && let Some(existing) = find_by_token(&mut tx, token, teacher_id).await?
    {
        tx.commit().await?;
        return Ok((existing, false));
    }
    let now = now_ms();
    if let Some(existing) = find_recent_twin(&mut tx, teacher_id, draft, now).await? {
        tx.commit().await?;
        return Ok((existing, false));
    }

    // The savepoint keeps the transaction usable after a unique violation on
    // PostgreSQL, so the winner's row can be read back.
    let id = new_id();
    let mut savepoint = tx.begin().await?;
    let inserted = insert_claim(
        &mut savepoint,
        &id,
        teacher_id,
        unit_id,
        office_id,
        draft,
        form_token,
        now,
    )
    .await;
    match inserted {
        Ok(()) => savepoint.commit().await?,
        Err(StoreError::Unique(message)) => {
            savepoint.rollback().await?;
            let token = form_token.ok_or_else(|| StoreError::Unique(message.clone()))?;
            let existing = find_by_token(&mut tx, token, teacher_id)
                .await?
                .ok_or(StoreError::Unique(message))?;
            tx.commit().await?;
            return Ok((existing, false));
        }
        Err(error) => return Err(error),
    }
    tx.commit().await?;
    Ok((id, true))
}

/// Locks a person's row until the transaction ends, so that one teacher's creates run
/// one after another. The no-op UPDATE takes the row lock on PostgreSQL and the database
/// write lock on SQLite.
async fn lock_person(conn: &mut AnyConnection, person_id: &str) -> Result<()> {
    let result = sqlx::query("UPDATE people SET updated_at = updated_at WHERE id = $1")
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Finds the claim created with `token`. A claim of another teacher is
/// `StoreError::Unique`, since returning it would show one teacher another's claim.
async fn find_by_token(
    conn: &mut AnyConnection,
    token: &str,
    teacher_id: &str,
) -> Result<Option<String>> {
    let row = sqlx::query("SELECT id, teacher_id FROM claims WHERE form_token = $1")
        .bind(token)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if columns::text(&row, "teacher_id")? != teacher_id {
        return Err(StoreError::Unique(
            "the form token belongs to another teacher's claim".to_owned(),
        ));
    }
    Ok(Some(columns::text(&row, "id")?))
}

async fn find_recent_twin(
    conn: &mut AnyConnection,
    teacher_id: &str,
    draft: &ClaimDraft,
    now: i64,
) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT id FROM claims WHERE teacher_id = $1 AND status = 'draft' AND term_code = $2 \
         AND category_id = $3 AND topic = $4 AND start_date = $5 AND end_date = $6 AND claimed_hours = $7 \
         AND created_at >= $8 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(teacher_id)
    .bind(draft.term.to_string())
    .bind(&draft.category_id)
    .bind(&draft.topic)
    .bind(draft.start_date.to_string())
    .bind(draft.end_date.to_string())
    .bind(draft.claimed_hours.tenths())
    .bind(now - DUPLICATE_WINDOW_MS)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(|row| columns::text(row, "id")).transpose()
}

#[allow(clippy::too_many_arguments)]
async fn insert_claim(
    conn: &mut AnyConnection,
    id: &str,
    teacher_id: &str,
    unit_id: &str,
    office_id: Option<&str>,
    draft: &ClaimDraft,
    form_token: Option<&str>,
    now: i64,
) -> Result<()> {
    // Selecting from categories makes a category of another term insert nothing.
    let result = sqlx::query(
        "INSERT INTO claims (id, term_code, category_id, teacher_id, unit_id, office_id, topic, organizer, \
         start_date, end_date, mode, claimed_hours, notes, certificate_date, activity_id, status, source, \
         form_token, round, version, created_at, updated_at) \
         SELECT $1, $2, g.id, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'draft', 'platform', \
         $16, 0, 0, $17, $17 FROM categories g WHERE g.id = $3 AND g.term_code = $2",
    )
    .bind(id)
    .bind(draft.term.to_string())
    .bind(&draft.category_id)
    .bind(teacher_id)
    .bind(unit_id)
    .bind(office_id)
    .bind(&draft.topic)
    .bind(&draft.organizer)
    .bind(draft.start_date.to_string())
    .bind(draft.end_date.to_string())
    .bind(draft.mode.as_str())
    .bind(draft.claimed_hours.tenths())
    .bind(&draft.notes)
    .bind(draft.certificate_date.map(|date| date.to_string()))
    .bind(&draft.activity_id)
    .bind(form_token)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Replaces the fields of a draft or returned claim and returns its new version.
///
/// The claim must belong to `teacher_id` and the category to `draft.term`, else
/// `StoreError::NotFound`. A claim whose version is no longer `expected_version`, or
/// that was submitted meanwhile, is `StoreError::Conflict`.
pub async fn update_draft(
    conn: &mut AnyConnection,
    id: &str,
    teacher_id: &str,
    expected_version: i64,
    draft: &ClaimDraft,
) -> Result<i64> {
    let sql = format!(
        "UPDATE claims SET term_code = $4, category_id = $5, topic = $6, organizer = $7, start_date = $8, \
         end_date = $9, mode = $10, claimed_hours = $11, notes = $12, certificate_date = $13, activity_id = $14, \
         version = version + 1, updated_at = $15 \
         WHERE id = $1 AND teacher_id = $2 AND version = $3 AND status IN ({}) \
         AND EXISTS (SELECT 1 FROM categories g WHERE g.id = $5 AND g.term_code = $4)",
        super::editable_statuses()
    );
    let result = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(teacher_id)
        .bind(expected_version)
        .bind(draft.term.to_string())
        .bind(&draft.category_id)
        .bind(&draft.topic)
        .bind(&draft.organizer)
        .bind(draft.start_date.to_string())
        .bind(draft.end_date.to_string())
        .bind(draft.mode.as_str())
        .bind(draft.claimed_hours.tenths())
        .bind(&draft.notes)
        .bind(draft.certificate_date.map(|date| date.to_string()))
        .bind(&draft.activity_id)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    if result.rows_affected() == 1 {
        return Ok(expected_version + 1);
    }
    Err(explain_no_update(conn, id, teacher_id, expected_version).await?)
}

/// Returns the error for a guarded write on a teacher's editable claim that changed
/// nothing. A missing claim or another teacher's is `NotFound`. A moved-on version or a
/// claim no longer editable is `Conflict`. Anything else is a category of another term,
/// so `NotFound`.
async fn explain_no_update(
    conn: &mut AnyConnection,
    id: &str,
    teacher_id: &str,
    expected_version: i64,
) -> Result<StoreError> {
    let row = sqlx::query("SELECT teacher_id, version, status FROM claims WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(StoreError::NotFound);
    };
    if columns::text(&row, "teacher_id")? != teacher_id {
        return Ok(StoreError::NotFound);
    }
    let status: xueshi_core::ClaimStatus = columns::parsed(&row, "status")?;
    if columns::int(&row, "version")? != expected_version || !status.is_editable() {
        return Ok(StoreError::Conflict);
    }
    Ok(StoreError::NotFound)
}

/// Deletes a draft that has no review decisions, with its evidence rows and flags, and
/// returns the SHA-256 of each of its files that no other claim uses now.
///
/// Files stay in the blob store: the caller removes a returned file with
/// `evidence::forget_blob` and then from the blob store. A draft with decisions (one
/// withdrawn after an earlier return) keeps its review history and is
/// `StoreError::Conflict`, like a stale version or a claim that is not a draft.
pub async fn delete_draft(
    conn: &mut AnyConnection,
    id: &str,
    teacher_id: &str,
    expected_version: i64,
    actor: &Actor,
) -> Result<Vec<String>> {
    let mut tx = conn.begin().await?;
    let row = sqlx::query("SELECT teacher_id, version, status, round FROM claims WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    if columns::text(&row, "teacher_id")? != teacher_id {
        return Err(StoreError::NotFound);
    }
    let status = columns::text(&row, "status")?;
    if columns::int(&row, "version")? != expected_version || status != "draft" {
        return Err(StoreError::Conflict);
    }
    let has_decisions = sqlx::query("SELECT 1 AS one FROM decisions WHERE claim_id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if has_decisions {
        return Err(StoreError::Conflict);
    }

    let hashes: Vec<String> =
        sqlx::query("SELECT DISTINCT sha256 FROM evidence WHERE claim_id = $1 ORDER BY sha256")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| columns::text(row, "sha256"))
            .collect::<Result<_>>()?;
    for statement in [
        "DELETE FROM claim_flags WHERE claim_id = $1",
        // Flags of other claims keep their message but no longer point here.
        "UPDATE claim_flags SET related_claim_id = NULL WHERE related_claim_id = $1",
        "DELETE FROM evidence WHERE claim_id = $1",
        "DELETE FROM notifications WHERE claim_id = $1",
    ] {
        sqlx::query(statement).bind(id).execute(&mut *tx).await?;
    }
    let result = sqlx::query("DELETE FROM claims WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::Conflict);
    }
    audit::append(
        &mut tx,
        actor,
        &AuditEntry {
            entity: "claim",
            entity_id: id,
            action: "delete",
            before: Some(serde_json::json!({
                "status": status,
                "version": expected_version,
                "round": columns::int(&row, "round")?,
            })),
            ..AuditEntry::default()
        },
    )
    .await?;

    let mut unreferenced = Vec::new();
    for sha256 in hashes {
        if !crate::evidence::is_referenced(&mut tx, &sha256).await? {
            unreferenced.push(sha256);
        }
    }
    tx.commit().await?;
    Ok(unreferenced)
}
