//! A fresh database per test, on SQLite always and on PostgreSQL when the environment
//! variable `XUESHI_TEST_PG` names a server (e.g. `postgres://postgres@127.0.0.1:5432/test`).
//!
//! Each PostgreSQL test gets its own schema, named `xt_<unix seconds>_<random>`; schemas
//! that earlier runs left behind are dropped once they are six hours old.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use sqlx::Row;

use crate::{Backend, Db};

/// The environment variable naming the PostgreSQL server for tests.
pub const PG_ENV: &str = "XUESHI_TEST_PG";

/// A migrated, empty database for one test.
pub struct TestDb {
    pub db: Db,
    /// The URL the pool was opened with; the command-line tests open it again.
    pub url: String,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Creates a migrated SQLite database in a temporary folder.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = Db::connect(&url, 5)
            .await
            .expect("open the test SQLite database");
        db.migrate()
            .await
            .expect("migrate the test SQLite database");
        Self {
            db,
            url,
            schema: None,
            _dir: Some(dir),
        }
    }

    /// Creates a migrated PostgreSQL schema, or returns `None` when `XUESHI_TEST_PG` is
    /// unset. Panics when it is set and the server cannot be reached: a configured
    /// server that fails must fail the test, not skip it.
    pub async fn postgres() -> Option<Self> {
        let Ok(server) = std::env::var(PG_ENV) else {
            eprintln!("{PG_ENV} is not set: the PostgreSQL run of this test is skipped");
            return None;
        };
        Some(
            Self::postgres_at(&server)
                .await
                .expect("create the test PostgreSQL schema"),
        )
    }

    async fn postgres_at(server: &str) -> anyhow::Result<Self> {
        let admin = Db::connect(server, 1).await?;
        drop_stale_schemas(&admin).await?;
        let seconds = jiff::Timestamp::now().as_second();
        let random = uuid::Uuid::now_v7().simple().to_string();
        let schema = format!("xt_{seconds}_{}", &random[random.len() - 12..]);
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(admin.pool())
            .await
            .context("create schema")?;
        admin.close().await;

        let separator = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{separator}options=-c%20search_path%3D{schema}");
        let db = Db::connect(&url, 5).await?;
        db.migrate().await?;
        Ok(Self {
            db,
            url,
            schema: Some(schema),
            _dir: None,
        })
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Drops the PostgreSQL schema; SQLite files go with the temporary folder.
    pub async fn cleanup(self) {
        self.db.close().await;
        if let (Some(schema), Ok(server)) = (&self.schema, std::env::var(PG_ENV))
            && let Ok(admin) = Db::connect(&server, 1).await
        {
            let statement = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
            let _ = sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(admin.pool())
                .await;
            admin.close().await;
        }
    }
}

static STALE_DROPPED: AtomicBool = AtomicBool::new(false);

async fn drop_stale_schemas(admin: &Db) -> anyhow::Result<()> {
    if STALE_DROPPED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    let rows = sqlx::query(
        "SELECT nspname::text AS nspname FROM pg_namespace WHERE nspname LIKE 'xt\\_%'",
    )
    .fetch_all(admin.pool())
    .await?;
    let cutoff = jiff::Timestamp::now().as_second() - 6 * 3600;
    for row in rows {
        let name: String = row.try_get("nspname")?;
        let created: Option<i64> = name.split('_').nth(1).and_then(|s| s.parse().ok());
        if created.is_some_and(|created| created < cutoff) {
            let statement = format!("DROP SCHEMA IF EXISTS {name} CASCADE");
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .execute(admin.pool())
                .await?;
        }
    }
    Ok(())
}

/// Defines a test module named after the async function `$name(&TestDb)` with two
/// tests, `sqlite` and `postgres`, that each run the function on a fresh database.
#[macro_export]
macro_rules! db_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let test_db = $crate::testing::TestDb::sqlite().await;
                super::$name(&test_db).await;
                test_db.cleanup().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(test_db) = $crate::testing::TestDb::postgres().await {
                    super::$name(&test_db).await;
                    test_db.cleanup().await;
                }
            }
        }
    };
}
