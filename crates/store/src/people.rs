//! People, their unit and office, their roles and their password hashes.

use std::collections::HashMap;

use sqlx::{AnyConnection, Connection, Row};
use xueshi_core::{Role, RoleKind, StaffId};

use crate::{Result, StoreError, new_id, now_ms};

/// A person as the administrator's pages and the API show them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Person {
    pub id: String,
    pub staff_id: String,
    pub name: String,
    pub unit_id: Option<String>,
    pub unit_name: Option<String>,
    pub office_id: Option<String>,
    pub office_name: Option<String>,
    pub title: String,
    pub active: bool,
    pub must_change_password: bool,
    pub has_password: bool,
}

/// A role grant with the name of its scope for display.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Grant {
    pub role: RoleKind,
    /// Office id for office directors, unit id for unit reviewers.
    pub scope_id: Option<String>,
    pub scope_name: Option<String>,
}

impl Grant {
    pub fn to_role(&self) -> Role {
        Role {
            kind: self.role,
            scope_id: self.scope_id.clone(),
        }
    }

    /// "教研室主任（数学教研室）" or "教师".
    pub fn label(&self) -> String {
        match &self.scope_name {
            Some(scope) => format!("{}（{scope}）", self.role.label()),
            None => self.role.label().to_owned(),
        }
    }
}

const PERSON_COLUMNS: &str = "p.id, p.staff_id, p.name, p.unit_id, u.name AS unit_name, p.office_id, \
    o.name AS office_name, p.title, p.active, p.must_change_password, \
    CASE WHEN p.password_hash IS NULL THEN 0 ELSE 1 END AS has_password \
    FROM people p LEFT JOIN units u ON u.id = p.unit_id LEFT JOIN offices o ON o.id = p.office_id";

fn person_from_row(row: &sqlx::any::AnyRow) -> Result<Person> {
    Ok(Person {
        id: row.try_get("id")?,
        staff_id: row.try_get("staff_id")?,
        name: row.try_get("name")?,
        unit_id: row.try_get("unit_id")?,
        unit_name: row.try_get("unit_name")?,
        office_id: row.try_get("office_id")?,
        office_name: row.try_get("office_name")?,
        title: row.try_get("title")?,
        active: row.try_get::<i64, _>("active")? != 0,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        has_password: row.try_get::<i64, _>("has_password")? != 0,
    })
}

/// Which people a list shows.
#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    pub unit_id: Option<String>,
    pub office_id: Option<String>,
    /// Matches staff ID or name, anywhere in the text.
    pub search: Option<String>,
    pub include_inactive: bool,
    pub limit: Option<i64>,
    pub offset: i64,
}

/// Lists people by unit, office and staff ID, with the total before paging.
pub async fn list(conn: &mut AnyConnection, filter: &PeopleFilter) -> Result<(Vec<Person>, i64)> {
    let mut conditions = vec!["1 = 1".to_owned()];
    let mut binds: Vec<String> = Vec::new();
    if let Some(unit_id) = &filter.unit_id {
        binds.push(unit_id.clone());
        conditions.push(format!("p.unit_id = ${}", binds.len()));
    }
    if let Some(office_id) = &filter.office_id {
        binds.push(office_id.clone());
        conditions.push(format!("p.office_id = ${}", binds.len()));
    }
    if let Some(search) = filter.search.as_deref().filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", search.replace(['%', '_'], ""));
        binds.push(pattern);
        conditions.push(format!(
            "(p.staff_id LIKE ${0} OR p.name LIKE ${0})",
            binds.len()
        ));
    }
    if !filter.include_inactive {
        conditions.push("p.active = 1".to_owned());
    }
    let where_clause = conditions.join(" AND ");

    let count_sql = format!("SELECT COUNT(*) AS n FROM people p WHERE {where_clause}");
    let mut count_query = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    for bind in &binds {
        count_query = count_query.bind(bind);
    }
    let total: i64 = count_query.fetch_one(&mut *conn).await?.try_get("n")?;

    let limit = filter.limit.unwrap_or(i64::MAX / 2);
    let sql = format!(
        "SELECT {PERSON_COLUMNS} WHERE {where_clause} \
         ORDER BY u.sort_order, u.name, o.name, p.staff_id LIMIT {limit} OFFSET {}",
        filter.offset.max(0)
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for bind in &binds {
        query = query.bind(bind);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let people = rows
        .iter()
        .map(person_from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok((people, total))
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Person> {
    let sql = format!("SELECT {PERSON_COLUMNS} WHERE p.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref()
        .map(person_from_row)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

pub async fn find_by_staff_id(
    conn: &mut AnyConnection,
    staff_id: &StaffId,
) -> Result<Option<Person>> {
    let sql = format!("SELECT {PERSON_COLUMNS} WHERE p.staff_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(staff_id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(person_from_row).transpose()
}

/// Counts people, active or not.
pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM people")
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?)
}

/// Counts the active people and, of them, those without a password, for the
/// administrator's home page.
pub async fn count_active(conn: &mut AnyConnection) -> Result<(i64, i64)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, \
         COALESCE(SUM(CASE WHEN password_hash IS NULL THEN 1 ELSE 0 END), 0) AS without_password \
         FROM people WHERE active = 1",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok((row.try_get("n")?, row.try_get("without_password")?))
}

/// The fields of a person that a roster row or an administrator sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFields {
    pub name: String,
    pub unit_id: Option<String>,
    pub office_id: Option<String>,
    pub title: String,
}

/// Creates an active person without a password.
pub async fn create(
    conn: &mut AnyConnection,
    staff_id: &StaffId,
    fields: &PersonFields,
) -> Result<String> {
    let id = new_id();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO people (id, staff_id, name, unit_id, office_id, title, active, must_change_password, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 1, 1, $7, $7)",
    )
    .bind(&id)
    .bind(staff_id.as_str())
    .bind(&fields.name)
    .bind(&fields.unit_id)
    .bind(&fields.office_id)
    .bind(&fields.title)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Replaces a person's name, unit, office and title.
pub async fn update(conn: &mut AnyConnection, id: &str, fields: &PersonFields) -> Result<()> {
    let result = sqlx::query(
        "UPDATE people SET name = $2, unit_id = $3, office_id = $4, title = $5, updated_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(&fields.name)
    .bind(&fields.unit_id)
    .bind(&fields.office_id)
    .bind(&fields.title)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Marks a person active or left. A person who left cannot sign in; their sessions and
/// API tokens are ended.
pub async fn set_active(conn: &mut AnyConnection, id: &str, active: bool) -> Result<()> {
    let mut tx = conn.begin().await?;
    let result = sqlx::query("UPDATE people SET active = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(i16::from(active))
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    if !active {
        crate::auth::end_all_sessions(&mut tx, id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What sign-in needs to know about a person.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub person_id: String,
    pub password_hash: Option<String>,
    pub active: bool,
}

pub async fn credentials(
    conn: &mut AnyConnection,
    staff_id: &StaffId,
) -> Result<Option<Credentials>> {
    let row = sqlx::query("SELECT id, password_hash, active FROM people WHERE staff_id = $1")
        .bind(staff_id.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        Ok(Credentials {
            person_id: row.try_get("id")?,
            password_hash: row.try_get("password_hash")?,
            active: row.try_get::<i64, _>("active")? != 0,
        })
    })
    .transpose()
}

/// Stores a new password hash and ends every session and API token of the person.
/// `must_change` forces a change at the next sign-in (set for one-time passwords).
pub async fn set_password_hash(
    conn: &mut AnyConnection,
    id: &str,
    hash: &str,
    must_change: bool,
) -> Result<()> {
    let mut tx = conn.begin().await?;
    let result = sqlx::query(
        "UPDATE people SET password_hash = $2, must_change_password = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(hash)
    .bind(i16::from(must_change))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    crate::auth::end_all_sessions(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Lists a person's roles with their scope names.
pub async fn grants(conn: &mut AnyConnection, person_id: &str) -> Result<Vec<Grant>> {
    let mut all = grants_of(conn, Some(person_id)).await?;
    Ok(all.remove(person_id).unwrap_or_default())
}

/// Lists the roles of every person, keyed by person id.
pub async fn all_grants(conn: &mut AnyConnection) -> Result<HashMap<String, Vec<Grant>>> {
    grants_of(conn, None).await
}

async fn grants_of(
    conn: &mut sqlx::AnyConnection,
    person_id: Option<&str>,
) -> Result<HashMap<String, Vec<Grant>>> {
    let sql = "SELECT g.person_id, g.role, g.scope_id, COALESCE(o.name, u.name) AS scope_name \
         FROM role_grants g \
         LEFT JOIN offices o ON g.role = 'office-director' AND o.id = g.scope_id \
         LEFT JOIN units u ON g.role = 'unit-reviewer' AND u.id = g.scope_id \
         WHERE ($1 = '' OR g.person_id = $1) ORDER BY g.person_id, g.role, scope_name";
    let rows = sqlx::query(sql)
        .bind(person_id.unwrap_or(""))
        .fetch_all(&mut *conn)
        .await?;
    let mut grants: HashMap<String, Vec<Grant>> = HashMap::new();
    for row in rows {
        let role_text: String = row.try_get("role")?;
        let Ok(role) = role_text.parse::<RoleKind>() else {
            tracing::warn!(role = %role_text, "ignoring unknown role in role_grants");
            continue;
        };
        let scope_id: String = row.try_get("scope_id")?;
        grants
            .entry(row.try_get("person_id")?)
            .or_default()
            .push(Grant {
                role,
                scope_id: (!scope_id.is_empty()).then_some(scope_id),
                scope_name: row.try_get("scope_name")?,
            });
    }
    for list in grants.values_mut() {
        list.sort_by_key(|grant| grant.role);
    }
    Ok(grants)
}

/// Grants a role; granting one the person has already changes nothing and returns false.
pub async fn grant(conn: &mut AnyConnection, person_id: &str, role: &Role) -> Result<bool> {
    let scope = role.scope_id.clone().unwrap_or_default();
    let exists = sqlx::query(
        "SELECT 1 AS one FROM role_grants WHERE person_id = $1 AND role = $2 AND scope_id = $3",
    )
    .bind(person_id)
    .bind(role.kind.as_str())
    .bind(&scope)
    .fetch_optional(&mut *conn)
    .await?
    .is_some();
    if exists {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO role_grants (person_id, role, scope_id, granted_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(person_id)
    .bind(role.kind.as_str())
    .bind(&scope)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Revokes a role; returns false when the person did not hold it.
pub async fn revoke(conn: &mut AnyConnection, person_id: &str, role: &Role) -> Result<bool> {
    let result =
        sqlx::query("DELETE FROM role_grants WHERE person_id = $1 AND role = $2 AND scope_id = $3")
            .bind(person_id)
            .bind(role.kind.as_str())
            .bind(role.scope_id.clone().unwrap_or_default())
            .execute(&mut *conn)
            .await?;
    Ok(result.rows_affected() > 0)
}

/// Counts the active people holding a role.
pub async fn count_with_role(conn: &mut AnyConnection, role: RoleKind) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(DISTINCT g.person_id) AS n FROM role_grants g JOIN people p ON p.id = g.person_id \
         WHERE g.role = $1 AND p.active = 1",
    )
    .bind(role.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("n")?)
}
