//! Accounts and reference data a new installation needs before anyone can sign in.

use xueshi_core::{Role, RoleKind, StaffId};
use xueshi_store::Db;
use xueshi_store::audit::{self, Actor, AuditEntry};
use xueshi_store::people::{self, PersonFields};

use crate::auth::password;

/// The staff ID of the administrator created on the first start.
pub const FIRST_ADMIN: &str = "admin";

/// The account created on the first start, with its one-time password.
pub struct FirstAdmin {
    pub staff_id: String,
    pub password: String,
}

/// Creates the center administrator `admin` with a random one-time password when the
/// database contains no person yet; returns it so the caller can print it once. The password
/// must be changed at the first sign-in. It is never logged.
pub async fn create_first_admin(db: &Db) -> anyhow::Result<Option<FirstAdmin>> {
    if people::count(&mut *db.conn().await?).await? > 0 {
        return Ok(None);
    }
    let staff_id = StaffId::parse(FIRST_ADMIN)?;
    let secret = password::one_time();
    let hash = password::hash(secret.clone()).await?;
    let fields = PersonFields {
        name: "系统管理员".into(),
        unit_id: None,
        office_id: None,
        title: String::new(),
    };

    let mut tx = db.begin_write().await?;
    let id = people::create(&mut tx, &staff_id, &fields).await?;
    people::set_password_hash(&mut tx, &id, &hash, true).await?;
    people::grant(&mut tx, &id, &Role::unscoped(RoleKind::CenterAdmin)).await?;
    people::grant(&mut tx, &id, &Role::unscoped(RoleKind::SystemAdmin)).await?;
    let entry = AuditEntry {
        entity: "person",
        entity_id: &id,
        action: "create_first_admin",
        ..Default::default()
    };
    audit::append(&mut tx, &Actor::system(), &entry).await?;
    xueshi_store::commit(tx).await?;
    tracing::info!("created the first administrator account");
    Ok(Some(FirstAdmin {
        staff_id: staff_id.to_string(),
        password: secret,
    }))
}

/// Writes the reference data every installation needs and the center may edit later:
/// the rejection reasons. Missing rows are added; edited ones are kept.
pub async fn seed_reference_data(db: &Db) -> anyhow::Result<()> {
    let mut conn = db.conn().await?;
    let added = xueshi_store::reasons::seed_defaults(&mut conn).await?;
    if added > 0 {
        tracing::info!(added, "seeded rejection reasons");
    }
    Ok(())
}
