//! The append-only audit log. Database triggers reject every UPDATE and DELETE on it.

use sqlx::{AnyConnection, Row};

use crate::{Result, new_id, now_ms};

/// Who acted and from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// `None` for the command line and the system itself.
    pub person_id: Option<String>,
    pub ip: Option<String>,
}

impl Actor {
    pub fn system() -> Self {
        Self::default()
    }

    pub fn person(person_id: &str, ip: Option<String>) -> Self {
        Self {
            person_id: Some(person_id.to_owned()),
            ip,
        }
    }
}

/// One audit row to write.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry<'e> {
    pub entity: &'e str,
    pub entity_id: &'e str,
    pub action: &'e str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason_code: Option<&'e str>,
    pub comment: Option<&'e str>,
}

/// Appends an entry; call it inside the transaction that makes the change.
pub async fn append(
    conn: &mut AnyConnection,
    actor: &Actor,
    entry: &AuditEntry<'_>,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, actor_ip, entity, entity_id, action, before_json, after_json, reason_code, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(now_ms())
    .bind(&actor.person_id)
    .bind(&actor.ip)
    .bind(entry.entity)
    .bind(entry.entity_id)
    .bind(entry.action)
    .bind(entry.before.as_ref().map(|v| v.to_string()))
    .bind(entry.after.as_ref().map(|v| v.to_string()))
    .bind(entry.reason_code)
    .bind(entry.comment)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// An audit row as the history views show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditRow {
    pub id: String,
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub actor_ip: Option<String>,
    pub action: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub reason_code: Option<String>,
    pub comment: Option<String>,
}

/// Lists the audit rows of one entity, oldest first.
pub async fn for_entity(
    conn: &mut AnyConnection,
    entity: &str,
    entity_id: &str,
) -> Result<Vec<AuditRow>> {
    let rows = sqlx::query(
        "SELECT a.id, a.at, a.actor_id, p.name AS actor_name, a.actor_ip, a.action, a.before_json, a.after_json, \
         a.reason_code, a.comment FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id \
         WHERE a.entity = $1 AND a.entity_id = $2 ORDER BY a.at, a.id",
    )
    .bind(entity)
    .bind(entity_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(AuditRow {
                id: row.try_get("id")?,
                at: row.try_get("at")?,
                actor_id: row.try_get("actor_id")?,
                actor_name: row.try_get("actor_name")?,
                actor_ip: row.try_get("actor_ip")?,
                action: row.try_get("action")?,
                before_json: row.try_get("before_json")?,
                after_json: row.try_get("after_json")?,
                reason_code: row.try_get("reason_code")?,
                comment: row.try_get("comment")?,
            })
        })
        .collect()
}
