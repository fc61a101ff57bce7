//! The SQLite and PostgreSQL migrations must describe the same schema.

use std::collections::BTreeMap;

use sqlx::Row;
use xueshi_store::testing::TestDb;

fn migration_names(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn migration_files_match() {
    assert_eq!(migration_names("sqlite"), migration_names("postgres"));
}

/// Table name → sorted column names with their nullability.
type Columns = BTreeMap<String, Vec<(String, bool)>>;

async fn sqlite_columns(test_db: &TestDb) -> Columns {
    let pool = test_db.db.pool();
    let tables = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut columns = Columns::new();
    for table in tables {
        let name: String = table.get("name");
        let sql =
            format!("SELECT name, \"notnull\" AS not_null, pk FROM pragma_table_info('{name}')");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .unwrap();
        let mut list: Vec<(String, bool)> = rows
            .iter()
            .map(|row| {
                let not_null = row.get::<i64, _>("not_null") != 0 || row.get::<i64, _>("pk") != 0;
                (row.get::<String, _>("name"), !not_null)
            })
            .collect();
        list.sort();
        columns.insert(name, list);
    }
    columns
}

async fn postgres_columns(test_db: &TestDb) -> Columns {
    let rows = sqlx::query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, is_nullable::text AS is_nullable \
         FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(test_db.db.pool())
    .await
    .unwrap();
    let mut columns = Columns::new();
    for row in rows {
        columns.entry(row.get("table_name")).or_default().push((
            row.get("column_name"),
            row.get::<String, _>("is_nullable") == "YES",
        ));
    }
    for list in columns.values_mut() {
        list.sort();
    }
    columns
}

#[tokio::test]
async fn schemas_match_on_both_backends() {
    let Some(postgres) = TestDb::postgres().await else {
        return;
    };
    let sqlite = TestDb::sqlite().await;
    let sqlite_schema = sqlite_columns(&sqlite).await;
    let postgres_schema = postgres_columns(&postgres).await;
    assert!(
        sqlite_schema.contains_key("claims"),
        "tables: {:?}",
        sqlite_schema.keys()
    );
    assert_eq!(sqlite_schema, postgres_schema);
    postgres.cleanup().await;
    sqlite.cleanup().await;
}
