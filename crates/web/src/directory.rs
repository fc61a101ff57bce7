//! Changes to units, offices, people and roles, shared by the pages and the API. Each
//! function validates, writes, and appends its audit row in one transaction; errors carry
//! the Chinese message for the person.

use xueshi_core::person::{parse_person_name, parse_title};
use xueshi_core::role::ScopeKind;
use xueshi_core::unit::OrgName;
use xueshi_core::{Role, RoleKind, StaffId, UnitKind};
use xueshi_store::audit::{self, Actor, AuditEntry};
use xueshi_store::people::{self, PersonFields};
use xueshi_store::{Conn, Db, StoreError, units};

use crate::auth::{CurrentUser, password};
use crate::error::{AppError, AppResult};

/// Review chains an administrator can choose for a unit.
pub const REVIEW_CHAINS: [(&str, &str); 3] = [
    ("office,unit,school", "教研室 → 院（部） → 学校"),
    ("unit,school", "院（部） → 学校"),
    ("school", "仅学校审核"),
];

/// Returns the Chinese label of a review chain.
pub fn chain_label(chain: &str) -> &'static str {
    REVIEW_CHAINS
        .iter()
        .find(|(code, _)| *code == chain)
        .map(|(_, label)| *label)
        .unwrap_or("自定义")
}

/// Builds the audit actor for an administrator and their address.
pub fn actor(user: &CurrentUser, ip: &str) -> Actor {
    Actor::person(&user.person_id, Some(ip.to_owned()))
}

fn unique_to_conflict(error: StoreError, message: String) -> AppError {
    match error {
        StoreError::Unique(_) => AppError::Conflict(message),
        other => other.into(),
    }
}

/// Creates a unit; returns its id and cleaned name.
pub async fn create_unit(
    db: &Db,
    actor: &Actor,
    raw_name: &str,
    kind: UnitKind,
) -> AppResult<(String, OrgName)> {
    let name = OrgName::parse("单位名称", raw_name)?;
    let mut tx = db.begin_write().await?;
    if let Some(existing) = units::find_by_key(&mut tx, &name.key).await? {
        return Err(AppError::Conflict(format!(
            "单位“{}”已存在，无需重复添加。",
            existing.name
        )));
    }
    let id = units::create(&mut tx, &name, kind)
        .await
        .map_err(|e| unique_to_conflict(e, format!("单位“{}”已存在。", name.display)))?;
    let after = serde_json::json!({ "name": name.display, "kind": kind.as_str() });
    let entry = AuditEntry {
        entity: "unit",
        entity_id: &id,
        action: "create",
        after: Some(after),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok((id, name))
}

/// Changes an administrator may make to a unit; `None` keeps the current value.
#[derive(Debug, Default, Clone)]
pub struct UnitChanges {
    pub name: Option<String>,
    pub kind: Option<UnitKind>,
    pub sort_order: Option<i64>,
    pub review_chain: Option<String>,
}

/// Updates a unit.
pub async fn update_unit(db: &Db, actor: &Actor, id: &str, changes: &UnitChanges) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let before = units::get(&mut tx, id).await?;
    let name = match &changes.name {
        Some(raw) => OrgName::parse("单位名称", raw)?,
        None => OrgName::parse("单位名称", &before.name)?,
    };
    let kind = changes.kind.unwrap_or(before.kind);
    let sort_order = changes.sort_order.unwrap_or(before.sort_order);
    let chain = changes
        .review_chain
        .clone()
        .unwrap_or_else(|| before.review_chain.clone());
    if !REVIEW_CHAINS.iter().any(|(code, _)| *code == chain) {
        return Err(AppError::invalid(format!(
            "审核流程“{chain}”无效，可选：office,unit,school、unit,school、school。"
        )));
    }
    units::update(&mut tx, id, &name, kind, sort_order, &chain)
        .await
        .map_err(|e| {
            unique_to_conflict(
                e,
                format!("已有名为“{}”的单位，请换一个名称。", name.display),
            )
        })?;
    let entry = AuditEntry {
        entity: "unit",
        entity_id: id,
        action: "update",
        before: Some(
            serde_json::json!({ "name": before.name, "kind": before.kind.as_str(), "sort_order": before.sort_order, "review_chain": before.review_chain }),
        ),
        after: Some(
            serde_json::json!({ "name": name.display, "kind": kind.as_str(), "sort_order": sort_order, "review_chain": chain }),
        ),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(())
}

/// Creates an office in a unit; returns its id and cleaned name.
pub async fn create_office(
    db: &Db,
    actor: &Actor,
    unit_id: &str,
    raw_name: &str,
) -> AppResult<(String, OrgName)> {
    let name = OrgName::parse("教研室名称", raw_name)?;
    let mut tx = db.begin_write().await?;
    let unit = units::get(&mut tx, unit_id).await?;
    if units::find_office_by_key(&mut tx, unit_id, &name.key)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "{}已有“{}”，无需重复添加。",
            unit.name, name.display
        )));
    }
    let id = units::create_office(&mut tx, unit_id, &name).await?;
    let after = serde_json::json!({ "unit": unit.name, "name": name.display });
    let entry = AuditEntry {
        entity: "office",
        entity_id: &id,
        action: "create",
        after: Some(after),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok((id, name))
}

/// Renames an office; returns its unit id.
pub async fn rename_office(db: &Db, actor: &Actor, id: &str, raw_name: &str) -> AppResult<String> {
    let name = OrgName::parse("教研室名称", raw_name)?;
    let mut tx = db.begin_write().await?;
    let office = units::get_office(&mut tx, id).await?;
    units::rename_office(&mut tx, id, &name)
        .await
        .map_err(|e| {
            unique_to_conflict(e, format!("本单位已有名为“{}”的教研室。", name.display))
        })?;
    let entry = AuditEntry {
        entity: "office",
        entity_id: id,
        action: "rename",
        before: Some(serde_json::json!({ "name": office.name })),
        after: Some(serde_json::json!({ "name": name.display })),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(office.unit_id)
}

/// The raw fields of a person as a form or an API body gives them.
#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub name: String,
    pub unit_id: Option<String>,
    pub office_id: Option<String>,
    pub title: String,
}

/// Parses a person's fields, checking that the unit exists and the office belongs to it.
async fn parse_person(conn: &mut Conn, input: &PersonInput) -> AppResult<PersonFields> {
    let name = parse_person_name(&input.name)?;
    let title = parse_title(&input.title)?;
    let unit_id = input.unit_id.clone().filter(|s| !s.is_empty());
    let office_id = input.office_id.clone().filter(|s| !s.is_empty());
    if let Some(unit_id) = &unit_id {
        match units::get(conn, unit_id).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(AppError::invalid("所选单位不存在，请刷新页面后重新选择。"));
            }
            Err(error) => return Err(error.into()),
        }
    }
    if let Some(office_id) = &office_id {
        let office = match units::get_office(conn, office_id).await {
            Ok(office) => office,
            Err(StoreError::NotFound) => {
                return Err(AppError::invalid(
                    "所选教研室不存在，请刷新页面后重新选择。",
                ));
            }
            Err(error) => return Err(error.into()),
        };
        if unit_id.as_deref() != Some(office.unit_id.as_str()) {
            return Err(AppError::invalid(format!(
                "教研室“{}”不属于所选单位，请重新选择。",
                office.name
            )));
        }
    }
    Ok(PersonFields {
        name,
        unit_id,
        office_id,
        title,
    })
}

/// Creates a person with the teacher role; returns their id.
pub async fn create_person(
    db: &Db,
    actor: &Actor,
    raw_staff_id: &str,
    input: &PersonInput,
) -> AppResult<(String, StaffId)> {
    let staff_id = StaffId::parse(raw_staff_id)?;
    let mut tx = db.begin_write().await?;
    let fields = parse_person(&mut tx, input).await?;
    if let Some(existing) = people::find_by_staff_id(&mut tx, &staff_id).await? {
        return Err(AppError::Conflict(format!(
            "工号 {staff_id} 已属于“{}”，工号不能重复。",
            existing.name
        )));
    }
    let id = people::create(&mut tx, &staff_id, &fields).await?;
    people::grant(&mut tx, &id, &Role::unscoped(RoleKind::Teacher)).await?;
    let after = serde_json::json!({ "staff_id": staff_id.as_str(), "name": fields.name, "unit_id": fields.unit_id, "office_id": fields.office_id, "title": fields.title });
    let entry = AuditEntry {
        entity: "person",
        entity_id: &id,
        action: "create",
        after: Some(after),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok((id, staff_id))
}

/// Replaces a person's name, unit, office and title.
pub async fn update_person(db: &Db, actor: &Actor, id: &str, input: &PersonInput) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    let before = people::get(&mut tx, id).await?;
    let fields = parse_person(&mut tx, input).await?;
    people::update(&mut tx, id, &fields).await?;
    let entry = AuditEntry {
        entity: "person",
        entity_id: id,
        action: "update",
        before: Some(
            serde_json::json!({ "name": before.name, "unit_id": before.unit_id, "office_id": before.office_id, "title": before.title }),
        ),
        after: Some(
            serde_json::json!({ "name": fields.name, "unit_id": fields.unit_id, "office_id": fields.office_id, "title": fields.title }),
        ),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(())
}

/// Builds a role from its name and scope id, checking the scope exists and fits.
pub async fn role_with_scope(db: &Db, raw_role: &str, scope_id: Option<&str>) -> AppResult<Role> {
    let kind: RoleKind = raw_role.parse()?;
    let scope_id = scope_id.map(str::trim).filter(|s| !s.is_empty());
    let mut conn = db.conn().await?;
    let scope_id = match (kind.scope(), scope_id) {
        (None, _) => None,
        (Some(ScopeKind::Office), Some(id)) if units::get_office(&mut conn, id).await.is_ok() => {
            Some(id.to_owned())
        }
        (Some(ScopeKind::Office), _) => {
            return Err(AppError::invalid(
                "教研室主任需要指定所管理的教研室，请选择教研室。",
            ));
        }
        (Some(ScopeKind::Unit), Some(id)) if units::get(&mut conn, id).await.is_ok() => {
            Some(id.to_owned())
        }
        (Some(ScopeKind::Unit), _) => {
            return Err(AppError::invalid(
                "院（部）审核人需要指定所审核的单位，请选择单位。",
            ));
        }
    };
    Ok(Role { kind, scope_id })
}

/// Grants a role; returns false when the person already held it.
pub async fn grant_role(
    db: &Db,
    acting: &CurrentUser,
    ip: &str,
    person_id: &str,
    role: &Role,
) -> AppResult<bool> {
    if role.kind == RoleKind::SystemAdmin && !acting.has(RoleKind::SystemAdmin) {
        return Err(AppError::Forbidden(
            "只有系统管理员可以授予系统管理员角色。".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    people::get(&mut tx, person_id).await?;
    let added = people::grant(&mut tx, person_id, role).await?;
    if added {
        let after = serde_json::json!({ "role": role.kind.as_str(), "scope_id": role.scope_id });
        let entry = AuditEntry {
            entity: "person",
            entity_id: person_id,
            action: "grant_role",
            after: Some(after),
            ..Default::default()
        };
        audit::append(&mut tx, &actor(acting, ip), &entry).await?;
    }
    xueshi_store::commit(tx).await?;
    Ok(added)
}

/// Revokes a role; returns false when the person did not hold it. Administrators cannot
/// revoke their own administrator role, so the installation always keeps one.
pub async fn revoke_role(
    db: &Db,
    acting: &CurrentUser,
    ip: &str,
    person_id: &str,
    role: &Role,
) -> AppResult<bool> {
    if person_id == acting.person_id
        && matches!(role.kind, RoleKind::CenterAdmin | RoleKind::SystemAdmin)
    {
        return Err(AppError::Forbidden(
            "不能撤销自己的管理员角色，以免无人能管理系统。请由其他管理员操作。".into(),
        ));
    }
    if role.kind == RoleKind::SystemAdmin && !acting.has(RoleKind::SystemAdmin) {
        return Err(AppError::Forbidden(
            "只有系统管理员可以撤销系统管理员角色。".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let removed = people::revoke(&mut tx, person_id, role).await?;
    if removed {
        let before = serde_json::json!({ "role": role.kind.as_str(), "scope_id": role.scope_id });
        let entry = AuditEntry {
            entity: "person",
            entity_id: person_id,
            action: "revoke_role",
            before: Some(before),
            ..Default::default()
        };
        audit::append(&mut tx, &actor(acting, ip), &entry).await?;
    }
    xueshi_store::commit(tx).await?;
    Ok(removed)
}

/// Sets a one-time password that must be changed at the next sign-in; returns it so it
/// can be shown once. Ends the person's sessions and tokens.
pub async fn reset_password(db: &Db, actor: &Actor, person_id: &str) -> AppResult<String> {
    let person = people::get(&mut *db.conn().await?, person_id).await?;
    if !person.active {
        return Err(AppError::Conflict(
            "此人已离职，不能重置密码。请先恢复在职。".into(),
        ));
    }
    let secret = password::one_time();
    let hash = password::hash(secret.clone()).await?;
    let mut tx = db.begin_write().await?;
    people::set_password_hash(&mut tx, person_id, &hash, true).await?;
    let entry = AuditEntry {
        entity: "person",
        entity_id: person_id,
        action: "reset_password",
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(secret)
}

/// Marks a person active or left; nobody can mark themselves as left.
pub async fn set_active(
    db: &Db,
    acting: &CurrentUser,
    ip: &str,
    person_id: &str,
    active: bool,
) -> AppResult<()> {
    if person_id == acting.person_id && !active {
        return Err(AppError::Forbidden("不能将自己标记为离职。".into()));
    }
    let mut tx = db.begin_write().await?;
    let person = people::get(&mut tx, person_id).await?;
    people::set_active(&mut tx, person_id, active).await?;
    let entry = AuditEntry {
        entity: "person",
        entity_id: person_id,
        action: if active { "reactivate" } else { "deactivate" },
        before: Some(serde_json::json!({ "active": person.active })),
        after: Some(serde_json::json!({ "active": active })),
        ..Default::default()
    };
    audit::append(&mut tx, &actor(acting, ip), &entry).await?;
    xueshi_store::commit(tx).await?;
    Ok(())
}
