//! Units (院部) and the offices (教研室) inside them.

use sqlx::{AnyConnection, Row};
use xueshi_core::UnitKind;
use xueshi_core::unit::OrgName;

use crate::{Result, StoreError, new_id, now_ms};

/// A unit with the counts its list page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unit {
    pub id: String,
    pub name: String,
    pub kind: UnitKind,
    pub sort_order: i64,
    pub review_chain: String,
    pub office_count: i64,
    pub people_count: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Office {
    pub id: String,
    pub unit_id: String,
    pub name: String,
    pub people_count: i64,
}

fn parse_kind(text: &str) -> UnitKind {
    if text == "other" {
        UnitKind::Other
    } else {
        UnitKind::Teaching
    }
}

const UNIT_COLUMNS: &str = "u.id, u.name, u.kind, u.sort_order, u.review_chain, \
    (SELECT COUNT(*) FROM offices o WHERE o.unit_id = u.id) AS office_count, \
    (SELECT COUNT(*) FROM people p WHERE p.unit_id = u.id AND p.active = 1) AS people_count";

fn unit_from_row(row: &sqlx::any::AnyRow) -> Result<Unit> {
    Ok(Unit {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: parse_kind(&row.try_get::<String, _>("kind")?),
        sort_order: row.try_get("sort_order")?,
        review_chain: row.try_get("review_chain")?,
        office_count: row.try_get("office_count")?,
        people_count: row.try_get("people_count")?,
    })
}

/// Lists all units: teaching units first, then by sort order and name.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<Unit>> {
    let sql = format!(
        "SELECT {UNIT_COLUMNS} FROM units u \
         ORDER BY CASE WHEN u.kind = 'teaching' THEN 0 ELSE 1 END, u.sort_order, u.name"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(unit_from_row).collect()
}

/// Finds a unit by id.
pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Unit> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units u WHERE u.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref()
        .map(unit_from_row)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// Finds a unit by its name key (see `xueshi_core::text::name_key`).
pub async fn find_by_key(conn: &mut AnyConnection, key: &str) -> Result<Option<Unit>> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM units u WHERE u.name_key = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(unit_from_row).transpose()
}

/// Creates a unit placed after the existing ones. A name that matches an existing unit's
/// key is `StoreError::Unique`.
pub async fn create(conn: &mut AnyConnection, name: &OrgName, kind: UnitKind) -> Result<String> {
    let next_order: i64 =
        sqlx::query("SELECT COALESCE(MAX(sort_order), 0) + 10 AS next FROM units")
            .fetch_one(&mut *conn)
            .await?
            .try_get("next")?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO units (id, name, name_key, kind, sort_order, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&name.display)
    .bind(&name.key)
    .bind(kind.as_str())
    .bind(next_order)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Changes what an administrator may edit on a unit.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    name: &OrgName,
    kind: UnitKind,
    sort_order: i64,
    review_chain: &str,
) -> Result<()> {
    let result = sqlx::query(
        "UPDATE units SET name = $2, name_key = $3, kind = $4, sort_order = $5, review_chain = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(&name.display)
    .bind(&name.key)
    .bind(kind.as_str())
    .bind(sort_order)
    .bind(review_chain)
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Sets a unit's kind.
pub async fn set_kind(conn: &mut AnyConnection, id: &str, kind: UnitKind) -> Result<()> {
    let result = sqlx::query("UPDATE units SET kind = $2 WHERE id = $1")
        .bind(id)
        .bind(kind.as_str())
        .execute(&mut *conn)
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

fn office_from_row(row: &sqlx::any::AnyRow) -> Result<Office> {
    Ok(Office {
        id: row.try_get("id")?,
        unit_id: row.try_get("unit_id")?,
        name: row.try_get("name")?,
        people_count: row.try_get("people_count")?,
    })
}

const OFFICE_COLUMNS: &str = "o.id, o.unit_id, o.name, \
    (SELECT COUNT(*) FROM people p WHERE p.office_id = o.id AND p.active = 1) AS people_count";

/// Lists the offices of a unit by name.
pub async fn offices(conn: &mut AnyConnection, unit_id: &str) -> Result<Vec<Office>> {
    let sql =
        format!("SELECT {OFFICE_COLUMNS} FROM offices o WHERE o.unit_id = $1 ORDER BY o.name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(unit_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(office_from_row).collect()
}

/// Lists every office of every unit.
pub async fn all_offices(conn: &mut AnyConnection) -> Result<Vec<Office>> {
    let sql = format!("SELECT {OFFICE_COLUMNS} FROM offices o ORDER BY o.unit_id, o.name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(office_from_row).collect()
}

pub async fn get_office(conn: &mut AnyConnection, id: &str) -> Result<Office> {
    let sql = format!("SELECT {OFFICE_COLUMNS} FROM offices o WHERE o.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref()
        .map(office_from_row)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// Finds an office of a unit by its name key.
pub async fn find_office_by_key(
    conn: &mut AnyConnection,
    unit_id: &str,
    key: &str,
) -> Result<Option<Office>> {
    let sql =
        format!("SELECT {OFFICE_COLUMNS} FROM offices o WHERE o.unit_id = $1 AND o.name_key = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(unit_id)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(office_from_row).transpose()
}

/// Creates an office in a unit; a second office of the same key is `StoreError::Unique`.
pub async fn create_office(
    conn: &mut AnyConnection,
    unit_id: &str,
    name: &OrgName,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO offices (id, unit_id, name, name_key, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(unit_id)
    .bind(&name.display)
    .bind(&name.key)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

pub async fn rename_office(conn: &mut AnyConnection, id: &str, name: &OrgName) -> Result<()> {
    let result = sqlx::query("UPDATE offices SET name = $2, name_key = $3 WHERE id = $1")
        .bind(id)
        .bind(&name.display)
        .bind(&name.key)
        .execute(&mut *conn)
        .await?;
    if result.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
