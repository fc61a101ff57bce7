//! Sign-in state: browser sessions, API bearer tokens and failed-attempt counters.
//!
//! Tokens are random secrets held by the client; only their SHA-256 (hex) is stored, so
//! a copy of the database does not let anyone sign in. The caller hashes.

use sqlx::{AnyConnection, Connection, Row};

use crate::{Result, now_ms};

/// A live browser session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub person_id: String,
    pub csrf_token: String,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub async fn create_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    person_id: &str,
    csrf_token: &str,
    expires_at: i64,
) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (token_hash, person_id, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(token_hash)
    .bind(person_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Finds a session that has not expired at `now`.
pub async fn find_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<Option<SessionRecord>> {
    let row = sqlx::query(
        "SELECT person_id, csrf_token, last_seen_at, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| {
        Ok(SessionRecord {
            person_id: row.try_get("person_id")?,
            csrf_token: row.try_get("csrf_token")?,
            last_seen_at: row.try_get("last_seen_at")?,
            expires_at: row.try_get("expires_at")?,
        })
    })
    .transpose()
}

/// Records activity on a session and extends its expiry.
pub async fn touch_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut AnyConnection, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends every session and API token of a person.
pub async fn end_all_sessions(conn: &mut AnyConnection, person_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM api_tokens WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn create_api_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    person_id: &str,
    expires_at: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO api_tokens (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(person_id)
        .bind(now_ms())
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Returns the person an unexpired API token belongs to, and records its use.
pub async fn find_api_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT person_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let last_used: Option<i64> = row.try_get("last_used_at")?;
    // One write a minute at most per token keeps busy scripts from writing on every call.
    if last_used.is_none_or(|at| now - at > 60_000) {
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Some(row.try_get("person_id")?))
}

/// Deletes expired sessions and API tokens; returns how many rows went.
pub async fn purge_expired(conn: &mut AnyConnection, now: i64) -> Result<u64> {
    let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let tokens = sqlx::query("DELETE FROM api_tokens WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(sessions.rows_affected() + tokens.rows_affected())
}

/// Limits for one kind of failed-attempt counter.
#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimit {
    /// Failures within `window_ms` that lock the key.
    pub max_failures: i64,
    pub window_ms: i64,
    /// How long a lock lasts.
    pub lock_ms: i64,
}

/// Returns until when a key is locked, if it is locked at `now`.
pub async fn locked_until(conn: &mut AnyConnection, key: &str, now: i64) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT locked_until FROM sign_in_throttle WHERE throttle_key = $1")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    let until: Option<i64> = match row {
        Some(row) => row.try_get("locked_until")?,
        None => None,
    };
    Ok(until.filter(|until| *until > now))
}

/// Counts a failed attempt for `key`; returns the lock's end when this failure locks it.
pub async fn record_failure(
    conn: &mut AnyConnection,
    key: &str,
    now: i64,
    limit: ThrottleLimit,
) -> Result<Option<i64>> {
    let mut tx = conn.begin().await?;
    let window_start = now - limit.window_ms;
    sqlx::query(
        "INSERT INTO sign_in_throttle (throttle_key, failures, window_started_at, locked_until) VALUES ($1, 1, $2, NULL) \
         ON CONFLICT (throttle_key) DO UPDATE SET \
         failures = CASE WHEN sign_in_throttle.window_started_at < $3 THEN 1 ELSE sign_in_throttle.failures + 1 END, \
         window_started_at = CASE WHEN sign_in_throttle.window_started_at < $3 THEN $2 ELSE sign_in_throttle.window_started_at END",
    )
    .bind(key)
    .bind(now)
    .bind(window_start)
    .execute(&mut *tx)
    .await?;
    let failures: i64 =
        sqlx::query("SELECT failures FROM sign_in_throttle WHERE throttle_key = $1")
            .bind(key)
            .fetch_one(&mut *tx)
            .await?
            .try_get("failures")?;
    let mut locked = None;
    if failures >= limit.max_failures {
        let until = now + limit.lock_ms;
        sqlx::query(
            "UPDATE sign_in_throttle SET locked_until = $2, failures = 0, window_started_at = $3 WHERE throttle_key = $1",
        )
        .bind(key)
        .bind(until)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        locked = Some(until);
    }
    tx.commit().await?;
    Ok(locked)
}

/// Forgets the failures of a key after a successful sign-in.
pub async fn clear_failures(conn: &mut AnyConnection, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_throttle WHERE throttle_key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes one API token.
pub async fn delete_api_token(conn: &mut AnyConnection, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM api_tokens WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
