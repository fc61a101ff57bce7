//! The staff roster import: people upserted by staff ID, with their units, offices and
//! roles. A file is first planned against the database, then written in one transaction,
//! so an import either writes every valid row or nothing.

use std::collections::{HashMap, HashSet};

use xueshi_core::person::{parse_person_name, parse_title};
use xueshi_core::unit::OrgName;
use xueshi_core::{ParseError, Role, RoleKind, StaffId, UnitKind};
use xueshi_sheets::{ROSTER_FIELDS, ReadOptions, Row, Table};
use xueshi_store::audit::{self, Actor, AuditEntry};
use xueshi_store::people::{self, PeopleFilter, PersonFields};
use xueshi_store::{Db, units};

use super::{RowError, SkippedRowReport};

/// How to run an import.
#[derive(Debug, Clone, Default)]
pub struct RosterOptions {
    /// Plan and report without writing anything.
    pub dry_run: bool,
    /// Write the valid rows even when others are invalid.
    pub skip_invalid: bool,
    /// Sheet to read instead of the first visible one.
    pub sheet: Option<String>,
}

/// What happened, or would happen, to one person.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PersonChange {
    pub row: u32,
    pub staff_id: String,
    pub name: String,
    /// `created`, `updated` or `unchanged`.
    pub action: &'static str,
    /// Chinese names of the fields that change, e.g. ["单位", "角色"].
    pub changed: Vec<String>,
}

/// The outcome of an import; the JSON form is what `import roster --json` prints.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RosterReport {
    pub file_name: String,
    pub sheet: Option<String>,
    pub visible_sheets: Vec<String>,
    pub header_row: u32,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: Vec<SkippedRowReport>,
    pub errors: Vec<RowError>,
    pub new_units: Vec<String>,
    pub new_offices: Vec<String>,
    pub changes: Vec<PersonChange>,
    /// Whether the database was changed.
    pub written: bool,
    pub dry_run: bool,
    /// A Chinese sentence summing up the result.
    pub message: String,
}

/// A failure that stops the import before any row is looked at.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read as a roster; the message explains why, in Chinese.
    #[error("{0}")]
    File(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<xueshi_store::StoreError> for ImportError {
    fn from(error: xueshi_store::StoreError) -> Self {
        ImportError::Internal(error.into())
    }
}

/// One valid row, parsed.
struct RosterRow {
    row: u32,
    staff_id: StaffId,
    name: String,
    unit: OrgName,
    office: Option<OrgName>,
    title: String,
    roles: Vec<RoleKind>,
}

/// Reads a roster file on the blocking pool.
pub async fn read_roster(
    bytes: Vec<u8>,
    file_name: String,
    sheet: Option<String>,
) -> Result<Table, ImportError> {
    tokio::task::spawn_blocking(move || {
        let options = ReadOptions {
            sheet,
            ..ReadOptions::default()
        };
        xueshi_sheets::read_table(&bytes, &file_name, ROSTER_FIELDS, &options)
    })
    .await
    .map_err(|error| ImportError::Internal(error.into()))?
    .map_err(|error| ImportError::File(error.to_string()))
}

/// Imports a roster file: plans every row, then writes unless `dry_run` is set or unless a
/// row is invalid and `skip_invalid` is off.
pub async fn import_roster(
    db: &Db,
    bytes: Vec<u8>,
    file_name: &str,
    options: &RosterOptions,
    actor: &Actor,
) -> Result<RosterReport, ImportError> {
    let table = read_roster(bytes, file_name.to_owned(), options.sheet.clone()).await?;
    let mut report = RosterReport {
        file_name: file_name.to_owned(),
        sheet: table.sheet_name.clone(),
        visible_sheets: table.visible_sheets.clone(),
        header_row: table.header_row,
        skipped: table.skipped.iter().map(SkippedRowReport::from).collect(),
        dry_run: options.dry_run,
        ..RosterReport::default()
    };
    let rows = parse_rows(&table, &mut report.errors);
    let plan = Plan::load(db).await?;
    let planned = plan.apply_rows(&rows, &mut report);

    let blocked = !report.errors.is_empty() && !options.skip_invalid;
    if options.dry_run || blocked || (report.created == 0 && report.updated == 0) {
        report.message = summary(&report, blocked);
        return Ok(report);
    }
    write(db, &rows, &planned, &report, actor).await?;
    report.written = true;
    report.message = summary(&report, false);
    Ok(report)
}

fn summary(report: &RosterReport, blocked: bool) -> String {
    let counts = format!(
        "新增 {} 人，更新 {} 人，无变化 {} 人，跳过 {} 行",
        report.created,
        report.updated,
        report.unchanged,
        report.skipped.len()
    );
    if blocked {
        return format!(
            "有 {} 处错误，未导入任何数据。请按错误列表修改文件后重新导入，或选择“跳过有错误的行”（命令行加 --skip-invalid）只导入正确的行。（{counts}）",
            report.errors.len()
        );
    }
    if report.created == 0 && report.updated == 0 {
        return format!("名单与系统中的信息一致，没有需要更新的内容。（{counts}）");
    }
    let errors = if report.errors.is_empty() {
        String::new()
    } else {
        format!("；另有 {} 处错误的行未导入", report.errors.len())
    };
    if report.dry_run || !report.written {
        format!("预览：{counts}{errors}。确认无误后再执行导入。")
    } else {
        format!("导入完成：{counts}{errors}。")
    }
}

fn cell_error(row: &Row, table: &Table, key: &str, error: ParseError) -> RowError {
    let column = row
        .get(key)
        .map(|cell| cell.column.clone())
        .or_else(|| table.column(key).map(|c| c.column_letter.clone()))
        .unwrap_or_default();
    RowError {
        row: row.number,
        column,
        value: error.value,
        message: error.message,
    }
}

/// Parses each row's cells, collecting every invalid cell and repeated staff IDs.
fn parse_rows(table: &Table, errors: &mut Vec<RowError>) -> Vec<RosterRow> {
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut first_row_of: HashMap<String, u32> = HashMap::new();
    for row in &table.rows {
        let text = |key: &str| row.text(key).unwrap_or("");
        let mut row_errors = Vec::new();
        let staff_id = StaffId::parse(text("staff_id"))
            .map_err(|e| row_errors.push(cell_error(row, table, "staff_id", e)));
        let name = parse_person_name(text("name"))
            .map_err(|e| row_errors.push(cell_error(row, table, "name", e)));
        let unit = OrgName::parse("单位", text("unit"))
            .map_err(|e| row_errors.push(cell_error(row, table, "unit", e)));
        let office = if text("office").is_empty() {
            Ok(None)
        } else {
            OrgName::parse("教研室", text("office"))
                .map(Some)
                .map_err(|e| row_errors.push(cell_error(row, table, "office", e)))
        };
        let title = parse_title(text("title"))
            .map_err(|e| row_errors.push(cell_error(row, table, "title", e)));
        let roles = RoleKind::parse_list(text("roles"))
            .map_err(|e| row_errors.push(cell_error(row, table, "roles", e)));

        if let (Ok(staff_id), Ok(roles), Ok(office)) = (&staff_id, &roles, &office) {
            if let Some(first) = first_row_of.get(staff_id.as_str()) {
                let error = ParseError::new(
                    "工号",
                    staff_id.as_str(),
                    format!("工号 {staff_id} 与第 {first} 行重复，同一人只能出现一次。"),
                );
                row_errors.push(cell_error(row, table, "staff_id", error));
            } else {
                first_row_of.insert(staff_id.to_string(), row.number);
            }
            if roles.contains(&RoleKind::OfficeDirector) && office.is_none() {
                let error = ParseError::new(
                    "角色",
                    text("roles"),
                    "角色含教研室主任时必须填写所在教研室。",
                );
                row_errors.push(cell_error(row, table, "roles", error));
            }
        }
        if !row_errors.is_empty() {
            errors.extend(row_errors);
            continue;
        }
        let (Ok(staff_id), Ok(name), Ok(unit), Ok(office), Ok(title), Ok(roles)) =
            (staff_id, name, unit, office, title, roles)
        else {
            continue;
        };
        let roles = if roles.is_empty() {
            vec![RoleKind::Teacher]
        } else {
            roles
        };
        rows.push(RosterRow {
            row: row.number,
            staff_id,
            name,
            unit,
            office,
            title,
            roles,
        });
    }
    rows
}

/// A person as the plan compares them.
struct Existing {
    id: String,
    name: String,
    unit_id: Option<String>,
    office_id: Option<String>,
    title: String,
    active: bool,
}

/// The database's current people, units, offices and grants, and the ids planned for
/// new units and offices (placeholders until written).
struct Plan {
    units: HashMap<String, String>,
    unit_names: HashMap<String, String>,
    offices: HashMap<(String, String), String>,
    people: HashMap<String, Existing>,
    grants: HashMap<String, HashSet<(RoleKind, String)>>,
}

/// Ids the plan assigned: real ones for what exists, `new:` placeholders otherwise.
struct Planned {
    unit_of_row: Vec<String>,
    office_of_row: Vec<Option<String>>,
    new_units: Vec<(String, OrgName)>,
    new_offices: Vec<(String, String, OrgName)>,
    changed_rows: Vec<usize>,
}

impl Plan {
    async fn load(db: &Db) -> Result<Self, ImportError> {
        let mut conn = db.conn().await?;
        let unit_list = units::list(&mut conn).await?;
        let offices = units::all_offices(&mut conn).await?;
        let (everyone, _) = people::list(
            &mut conn,
            &PeopleFilter {
                include_inactive: true,
                ..Default::default()
            },
        )
        .await?;
        let all_grants = people::all_grants(&mut conn).await?;
        Ok(Self {
            units: unit_list
                .iter()
                .map(|u| (xueshi_core::text::name_key(&u.name), u.id.clone()))
                .collect(),
            unit_names: unit_list
                .iter()
                .map(|u| (u.id.clone(), u.name.clone()))
                .collect(),
            offices: offices
                .iter()
                .map(|o| {
                    (
                        (o.unit_id.clone(), xueshi_core::text::name_key(&o.name)),
                        o.id.clone(),
                    )
                })
                .collect(),
            people: everyone
                .into_iter()
                .map(|p| {
                    let existing = Existing {
                        id: p.id,
                        name: p.name,
                        unit_id: p.unit_id,
                        office_id: p.office_id,
                        title: p.title,
                        active: p.active,
                    };
                    (p.staff_id, existing)
                })
                .collect(),
            grants: all_grants
                .into_iter()
                .map(|(person, list)| {
                    let set = list
                        .into_iter()
                        .map(|g| (g.role, g.scope_id.unwrap_or_default()))
                        .collect();
                    (person, set)
                })
                .collect(),
        })
    }

    /// Decides what each row does and fills the counts and changes of the report.
    fn apply_rows(mut self, rows: &[RosterRow], report: &mut RosterReport) -> Planned {
        let mut planned = Planned {
            unit_of_row: Vec::with_capacity(rows.len()),
            office_of_row: Vec::with_capacity(rows.len()),
            new_units: Vec::new(),
            new_offices: Vec::new(),
            changed_rows: Vec::new(),
        };
        for (index, row) in rows.iter().enumerate() {
            let unit_id = match self.units.get(&row.unit.key) {
                Some(id) => id.clone(),
                None => {
                    let id = format!("new:unit:{}", planned.new_units.len());
                    self.units.insert(row.unit.key.clone(), id.clone());
                    self.unit_names.insert(id.clone(), row.unit.display.clone());
                    planned.new_units.push((id.clone(), row.unit.clone()));
                    report.new_units.push(row.unit.display.clone());
                    id
                }
            };
            let office_id = row.office.as_ref().map(|office| {
                let key = (unit_id.clone(), office.key.clone());
                match self.offices.get(&key) {
                    Some(id) => id.clone(),
                    None => {
                        let id = format!("new:office:{}", planned.new_offices.len());
                        self.offices.insert(key, id.clone());
                        planned
                            .new_offices
                            .push((id.clone(), unit_id.clone(), office.clone()));
                        let unit_name = self.unit_names.get(&unit_id).cloned().unwrap_or_default();
                        report
                            .new_offices
                            .push(format!("{unit_name} · {}", office.display));
                        id
                    }
                }
            });
            let wanted_roles: HashSet<(RoleKind, String)> = row
                .roles
                .iter()
                .map(|kind| (*kind, role_scope(*kind, &unit_id, office_id.as_deref())))
                .collect();

            let (action, changed) = match self.people.get(row.staff_id.as_str()) {
                None => ("created", Vec::new()),
                Some(existing) => {
                    let mut changed = Vec::new();
                    if existing.name != row.name {
                        changed.push("姓名".to_owned());
                    }
                    if existing.unit_id.as_deref() != Some(unit_id.as_str()) {
                        changed.push("单位".to_owned());
                    }
                    if existing.office_id != office_id {
                        changed.push("教研室".to_owned());
                    }
                    if existing.title != row.title {
                        changed.push("职称".to_owned());
                    }
                    if !existing.active {
                        changed.push("在职状态".to_owned());
                    }
                    let held = self.grants.get(&existing.id);
                    if wanted_roles
                        .iter()
                        .any(|grant| !held.is_some_and(|h| h.contains(grant)))
                    {
                        changed.push("角色".to_owned());
                    }
                    (
                        if changed.is_empty() {
                            "unchanged"
                        } else {
                            "updated"
                        },
                        changed,
                    )
                }
            };
            match action {
                "created" => report.created += 1,
                "updated" => report.updated += 1,
                _ => report.unchanged += 1,
            }
            if action != "unchanged" {
                planned.changed_rows.push(index);
            }
            report.changes.push(PersonChange {
                row: row.row,
                staff_id: row.staff_id.to_string(),
                name: row.name.clone(),
                action,
                changed,
            });
            planned.unit_of_row.push(unit_id);
            planned.office_of_row.push(office_id);
        }
        planned
    }
}

/// The scope id a role gets from the row: the office for office directors, the unit for
/// unit reviewers, none otherwise.
fn role_scope(kind: RoleKind, unit_id: &str, office_id: Option<&str>) -> String {
    match kind.scope() {
        Some(xueshi_core::role::ScopeKind::Office) => office_id.unwrap_or_default().to_owned(),
        Some(xueshi_core::role::ScopeKind::Unit) => unit_id.to_owned(),
        None => String::new(),
    }
}

/// Writes the planned changes in one transaction.
async fn write(
    db: &Db,
    rows: &[RosterRow],
    planned: &Planned,
    report: &RosterReport,
    actor: &Actor,
) -> Result<(), ImportError> {
    let mut tx = db.begin_write().await?;
    let mut real_ids: HashMap<String, String> = HashMap::new();
    for (placeholder, name) in &planned.new_units {
        let kind = UnitKind::guess_from_name(&name.display);
        let id = units::create(&mut tx, name, kind).await?;
        real_ids.insert(placeholder.clone(), id);
    }
    let resolve = |id: &str, real_ids: &HashMap<String, String>| {
        real_ids.get(id).cloned().unwrap_or_else(|| id.to_owned())
    };
    for (placeholder, unit_id, name) in &planned.new_offices {
        let id = units::create_office(&mut tx, &resolve(unit_id, &real_ids), name).await?;
        real_ids.insert(placeholder.clone(), id);
    }

    for &index in &planned.changed_rows {
        let row = &rows[index];
        let unit_id = resolve(&planned.unit_of_row[index], &real_ids);
        let office_id = planned.office_of_row[index]
            .as_deref()
            .map(|id| resolve(id, &real_ids));
        let fields = PersonFields {
            name: row.name.clone(),
            unit_id: Some(unit_id.clone()),
            office_id: office_id.clone(),
            title: row.title.clone(),
        };
        let existing = people::find_by_staff_id(&mut tx, &row.staff_id).await?;
        let (person_id, action) = match existing {
            Some(person) => {
                people::update(&mut tx, &person.id, &fields).await?;
                if !person.active {
                    people::set_active(&mut tx, &person.id, true).await?;
                }
                (person.id, "import_update")
            }
            None => (
                people::create(&mut tx, &row.staff_id, &fields).await?,
                "import_create",
            ),
        };
        for kind in &row.roles {
            let scope = role_scope(*kind, &unit_id, office_id.as_deref());
            let role = Role {
                kind: *kind,
                scope_id: (!scope.is_empty()).then_some(scope),
            };
            people::grant(&mut tx, &person_id, &role).await?;
        }
        let after = serde_json::json!({
            "staff_id": row.staff_id.as_str(), "name": row.name, "unit_id": unit_id, "office_id": office_id,
            "title": row.title, "roles": row.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        });
        let entry = AuditEntry {
            entity: "person",
            entity_id: &person_id,
            action,
            after: Some(after),
            ..Default::default()
        };
        audit::append(&mut tx, actor, &entry).await?;
    }

    let summary = serde_json::json!({
        "file_name": report.file_name, "sheet": report.sheet, "created": report.created,
        "updated": report.updated, "unchanged": report.unchanged, "errors": report.errors.len(),
    });
    let entry = AuditEntry {
        entity: "import",
        entity_id: "roster",
        action: "import_roster",
        after: Some(summary),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    tracing::info!(
        created = report.created,
        updated = report.updated,
        "roster imported"
    );
    Ok(())
}
