//! Roster import: a .xlsx of new teachers written with the sheets crate's writer and read
//! by the app's own import, against a bare SQLite insert-commit loop of the same rows.

use std::time::{Duration, Instant};

use xueshi_sheets::{Value, XlsxWriter};
use xueshi_store::Db;
use xueshi_store::audit::Actor;
use xueshi_web::import::roster::{RosterOptions, import_roster};

use crate::generate::{UnitRef, teacher_name};

const HEADERS: [&str; 5] = ["工号", "姓名", "单位", "教研室", "职称"];

/// Builds roster row `index`: staff ID, name, unit, office and title.
fn roster_row(index: u64, units: &[UnitRef]) -> [String; 5] {
    let unit = &units[(index % units.len() as u64) as usize];
    let office = &unit.offices[((index / 7) % unit.offices.len() as u64) as usize];
    [
        format!("{}", 8_000_000 + index),
        teacher_name(index + 7),
        unit.name.clone(),
        office.1.clone(),
        "讲师".to_owned(),
    ]
}

/// Writes a roster of `rows` teachers who are not in the database yet.
pub fn write_roster(rows: u64, units: &[UnitRef]) -> anyhow::Result<Vec<u8>> {
    let mut workbook = XlsxWriter::new();
    let values = (0..rows).map(|index| roster_row(index, units).map(Value::Text));
    workbook.add_sheet("教职工名单", &HEADERS, values)?;
    Ok(workbook.finish()?)
}

/// The duration and outcome of one import.
pub struct ImportTimes {
    pub import: Duration,
    pub created: usize,
    pub errors: usize,
}

/// Imports the roster through the app's import function, as the admin page does.
pub async fn import(db: &Db, bytes: Vec<u8>) -> anyhow::Result<ImportTimes> {
    let started = Instant::now();
    let report = import_roster(
        db,
        bytes,
        "教职工名单.xlsx",
        &RosterOptions::default(),
        &Actor::system(),
    )
    .await
    .map_err(|error| anyhow::anyhow!("roster import failed: {error}"))?;
    Ok(ImportTimes {
        import: started.elapsed(),
        created: report.created,
        errors: report.errors.len(),
    })
}

/// The baselines: the same rows inserted into a bare table of a new SQLite file, all in
/// one transaction, and with a commit after every row.
pub struct BaselineTimes {
    pub one_transaction: Duration,
    pub commit_per_row: Duration,
}

/// Inserts `rows` roster rows into a bare table in a temporary SQLite file, with the
/// app's connection settings (WAL, `synchronous = NORMAL`).
pub async fn bare_sqlite_inserts(rows: u64, units: &[UnitRef]) -> anyhow::Result<BaselineTimes> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("baseline.db").display());
    let db = Db::connect(&url, 1).await?;
    let mut conn = db.conn().await?;
    for table in ["one_transaction", "commit_per_row"] {
        let sql = format!(
            "CREATE TABLE {table} (staff_id TEXT PRIMARY KEY, name TEXT NOT NULL, unit TEXT NOT NULL, office TEXT, title TEXT NOT NULL)"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *conn)
            .await?;
    }
    drop(conn);
    let insert = |table: &str| {
        format!(
            "INSERT INTO {table} (staff_id, name, unit, office, title) VALUES ($1, $2, $3, $4, $5)"
        )
    };

    let started = Instant::now();
    let mut tx = db.begin_write().await?;
    let sql = insert("one_transaction");
    for index in 0..rows {
        let [staff_id, name, unit, office, title] = roster_row(index, units);
        sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(staff_id)
            .bind(name)
            .bind(unit)
            .bind(office)
            .bind(title)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let one_transaction = started.elapsed();

    let started = Instant::now();
    let sql = insert("commit_per_row");
    for index in 0..rows {
        let [staff_id, name, unit, office, title] = roster_row(index, units);
        let mut tx = db.begin_write().await?;
        sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(staff_id)
            .bind(name)
            .bind(unit)
            .bind(office)
            .bind(title)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let commit_per_row = started.elapsed();
    db.close().await;
    Ok(BaselineTimes {
        one_transaction,
        commit_per_row,
    })
}
