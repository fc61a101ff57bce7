//! `xueshi people`, `xueshi unit` and `xueshi user`: the administrators' commands.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use xueshi_core::unit::OrgName;
use xueshi_core::{Role, RoleKind, StaffId, text};
use xueshi_store::audit::{self, Actor, AuditEntry};
use xueshi_store::people::{self, PeopleFilter};
use xueshi_store::{Conn, units};

use crate::cli::{GlobalArgs, KindArg, print_json};

#[derive(Subcommand, Debug)]
pub enum PeopleCommand {
    #[command(about = "列出人员")]
    List {
        #[arg(long, help = "只列出此单位的人员")]
        unit: Option<String>,
        #[arg(long, help = "以 JSON 输出")]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum UnitCommand {
    #[command(about = "列出单位")]
    List {
        #[arg(long, help = "以 JSON 输出")]
        json: bool,
    },
    #[command(about = "新增单位")]
    Add {
        #[arg(help = "单位名称")]
        name: String,
        #[arg(
            long,
            value_enum,
            help = "单位类型：teaching（教学单位）或 other（非教学单位）"
        )]
        kind: KindArg,
    },
    #[command(about = "修改单位类型")]
    Set {
        #[arg(help = "单位名称")]
        name: String,
        #[arg(
            long,
            value_enum,
            help = "单位类型：teaching（教学单位）或 other（非教学单位）"
        )]
        kind: KindArg,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    #[command(about = "设置密码（从标准输入读取）")]
    SetPassword {
        #[arg(help = "工号")]
        staff_id: String,
        #[arg(long, help = "设为临时密码：本人下次登录时必须修改")]
        temporary: bool,
    },
    #[command(about = "授予角色")]
    Grant {
        #[arg(help = "工号")]
        staff_id: String,
        #[arg(help = "角色：teacher、office-director、unit-reviewer、center-admin、system-admin")]
        role: String,
        #[arg(
            long,
            help = "角色范围：教研室主任填教研室名称（重名时写“单位/教研室”），院（部）审核人填单位名称；省略时取本人所在的教研室或单位"
        )]
        scope: Option<String>,
    },
}

#[derive(serde::Serialize)]
struct PersonLine {
    staff_id: String,
    name: String,
    unit: Option<String>,
    office: Option<String>,
    title: String,
    active: bool,
    roles: Vec<String>,
}

pub async fn people(global: &GlobalArgs, command: PeopleCommand) -> anyhow::Result<ExitCode> {
    let PeopleCommand::List { unit, json } = command;
    let db = global.open_db().await?;
    let mut conn = db.conn().await?;
    let unit_id = match unit {
        Some(name) => Some(find_unit(&mut conn, &name).await?.id),
        None => None,
    };
    let (list, _) = people::list(
        &mut conn,
        &PeopleFilter {
            unit_id,
            ..Default::default()
        },
    )
    .await?;
    let grants = people::all_grants(&mut conn).await?;
    let lines: Vec<PersonLine> = list
        .into_iter()
        .map(|person| PersonLine {
            roles: grants
                .get(&person.id)
                .map(|g| g.iter().map(|g| g.role.as_str().to_owned()).collect())
                .unwrap_or_default(),
            staff_id: person.staff_id,
            name: person.name,
            unit: person.unit_name,
            office: person.office_name,
            title: person.title,
            active: person.active,
        })
        .collect();
    if json {
        print_json(&lines)?;
    } else {
        println!("工号\t姓名\t单位\t教研室\t职称\t角色");
        for line in &lines {
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}",
                line.staff_id,
                line.name,
                line.unit.as_deref().unwrap_or("-"),
                line.office.as_deref().unwrap_or("-"),
                line.title,
                role_labels(&line.roles)
            );
        }
        println!("共 {} 人", lines.len());
    }
    Ok(ExitCode::SUCCESS)
}

async fn find_unit(conn: &mut Conn, name: &str) -> anyhow::Result<units::Unit> {
    let key = text::name_key(name);
    match units::find_by_key(conn, &key).await? {
        Some(unit) => Ok(unit),
        None => bail!("没有名为“{name}”的单位。用 `xueshi unit list` 查看全部单位。"),
    }
}

#[derive(serde::Serialize)]
struct UnitLine {
    name: String,
    kind: &'static str,
    offices: i64,
    people: i64,
}

pub async fn unit(global: &GlobalArgs, command: UnitCommand) -> anyhow::Result<ExitCode> {
    let db = global.open_db().await?;
    let mut conn = db.conn().await?;
    match command {
        UnitCommand::List { json } => {
            let list = units::list(&mut conn).await?;
            let lines: Vec<UnitLine> = list
                .into_iter()
                .map(|u| UnitLine {
                    name: u.name,
                    kind: u.kind.as_str(),
                    offices: u.office_count,
                    people: u.people_count,
                })
                .collect();
            if json {
                print_json(&lines)?;
            } else {
                println!("单位\t类型\t教研室\t人数");
                for line in &lines {
                    let kind = if line.kind == "teaching" {
                        "教学单位"
                    } else {
                        "非教学单位"
                    };
                    println!("{}\t{}\t{}\t{}", line.name, kind, line.offices, line.people);
                }
            }
        }
        UnitCommand::Add { name, kind } => {
            let name = OrgName::parse("单位名称", &name)?;
            if let Some(existing) = units::find_by_key(&mut conn, &name.key).await? {
                bail!("单位“{}”已存在。", existing.name);
            }
            let kind = kind.into();
            let id = units::create(&mut conn, &name, kind).await?;
            let after = serde_json::json!({ "name": name.display, "kind": kind.as_str() });
            let entry = AuditEntry {
                entity: "unit",
                entity_id: &id,
                action: "create",
                after: Some(after),
                ..Default::default()
            };
            audit::append(&mut conn, &Actor::system(), &entry).await?;
            println!("已添加单位“{}”（{}）。", name.display, kind.label());
        }
        UnitCommand::Set { name, kind } => {
            let unit = find_unit(&mut conn, &name).await?;
            let kind: xueshi_core::UnitKind = kind.into();
            units::set_kind(&mut conn, &unit.id, kind).await?;
            let entry = AuditEntry {
                entity: "unit",
                entity_id: &unit.id,
                action: "set_kind",
                before: Some(serde_json::json!({ "kind": unit.kind.as_str() })),
                after: Some(serde_json::json!({ "kind": kind.as_str() })),
                ..Default::default()
            };
            audit::append(&mut conn, &Actor::system(), &entry).await?;
            println!("已将“{}”设为{}。", unit.name, kind.label());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn user(global: &GlobalArgs, command: UserCommand) -> anyhow::Result<ExitCode> {
    let db = global.open_db().await?;
    let mut conn = db.conn().await?;
    match command {
        UserCommand::SetPassword {
            staff_id,
            temporary,
        } => {
            let staff_id = StaffId::parse(&staff_id)?;
            let person = find_person(&mut conn, &staff_id).await?;
            let password = read_password()?;
            if let Err(xueshi_web::error::AppError::Invalid { message, .. }) =
                xueshi_web::auth::password::check_policy(&password, staff_id.as_str())
            {
                bail!("{message}");
            }
            let hash = xueshi_web::auth::password::hash(password).await?;
            people::set_password_hash(&mut conn, &person.id, &hash, temporary).await?;
            let entry = AuditEntry {
                entity: "person",
                entity_id: &person.id,
                action: "set_password",
                ..Default::default()
            };
            audit::append(&mut conn, &Actor::system(), &entry).await?;
            let note = if temporary {
                "本人下次登录时须修改密码"
            } else {
                "本人可直接使用此密码登录"
            };
            println!(
                "已为 {}（{}）设置密码，{note}；其原有登录已全部退出。",
                person.name, staff_id
            );
        }
        UserCommand::Grant {
            staff_id,
            role,
            scope,
        } => {
            let staff_id = StaffId::parse(&staff_id)?;
            let kind: RoleKind = role.parse()?;
            let person = find_person(&mut conn, &staff_id).await?;
            let scope_id = resolve_scope(&mut conn, kind, scope.as_deref(), &person).await?;
            let role = Role { kind, scope_id };
            let added = people::grant(&mut conn, &person.id, &role).await?;
            if added {
                let after = serde_json::json!({ "role": kind.as_str(), "scope_id": role.scope_id });
                let entry = AuditEntry {
                    entity: "person",
                    entity_id: &person.id,
                    action: "grant_role",
                    after: Some(after),
                    ..Default::default()
                };
                audit::append(&mut conn, &Actor::system(), &entry).await?;
                println!(
                    "已为 {}（{}）授予“{}”角色。",
                    person.name,
                    staff_id,
                    kind.label()
                );
            } else {
                println!("{}（{}）已有该角色，未做更改。", person.name, staff_id);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn find_person(conn: &mut Conn, staff_id: &StaffId) -> anyhow::Result<people::Person> {
    people::find_by_staff_id(conn, staff_id)
        .await?
        .with_context(|| {
            format!("没有工号为 {staff_id} 的人员。用 `xueshi people list` 查看全部人员。")
        })
}

/// Reads one line from standard input as the password, prompting on a terminal.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("请输入新密码（输入内容会显示在屏幕上）：");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!(
            "没有读到密码。请通过标准输入提供，例如：echo '新密码' | xueshi user set-password 工号"
        );
    }
    Ok(password)
}

/// Finds the office or unit a scoped role applies to.
async fn resolve_scope(
    conn: &mut Conn,
    kind: RoleKind,
    scope: Option<&str>,
    person: &people::Person,
) -> anyhow::Result<Option<String>> {
    use xueshi_core::role::ScopeKind;
    match kind.scope() {
        None => {
            if scope.is_some() {
                bail!("角色 {kind} 没有范围，请去掉 --scope。");
            }
            Ok(None)
        }
        Some(ScopeKind::Unit) => match scope {
            Some(name) => Ok(Some(find_unit(conn, name).await?.id)),
            None => match &person.unit_id {
                Some(id) => Ok(Some(id.clone())),
                None => bail!(
                    "{} 不属于任何单位，请用 --scope 指定所审核的单位。",
                    person.name
                ),
            },
        },
        Some(ScopeKind::Office) => {
            let Some(name) = scope else {
                return match &person.office_id {
                    Some(id) => Ok(Some(id.clone())),
                    None => bail!(
                        "{} 不属于任何教研室，请用 --scope 指定所管理的教研室。",
                        person.name
                    ),
                };
            };
            let (unit_name, office_name) = match name.split_once(['/', '／']) {
                Some((unit, office)) => (Some(unit), office),
                None => (None, name),
            };
            let key = text::name_key(office_name);
            let unit_names: std::collections::HashMap<String, String> = units::list(conn)
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect();
            let mut matches: Vec<units::Office> = units::all_offices(conn)
                .await?
                .into_iter()
                .filter(|o| text::name_key(&o.name) == key)
                .filter(|o| {
                    unit_name.is_none_or(|u| {
                        unit_names
                            .get(&o.unit_id)
                            .is_some_and(|n| text::name_key(n) == text::name_key(u))
                    })
                })
                .collect();
            if matches.len() > 1
                && let Some(own_unit) = &person.unit_id
            {
                matches.retain(|o| &o.unit_id == own_unit);
            }
            match matches.as_slice() {
                [office] => Ok(Some(office.id.clone())),
                [] => bail!("没有名为“{name}”的教研室。"),
                _ => bail!(
                    "有多个名为“{office_name}”的教研室，请写成“单位/教研室”，如“音乐学院/{office_name}”。"
                ),
            }
        }
    }
}

/// Writes role codes as their Chinese names for the table, e.g. "教师、教研室主任".
fn role_labels(codes: &[String]) -> String {
    let labels: Vec<&str> = codes
        .iter()
        .map(|code| match code.parse::<xueshi_core::RoleKind>() {
            Ok(kind) => kind.label(),
            Err(_) => code.as_str(),
        })
        .collect();
    if labels.is_empty() {
        "-".to_owned()
    } else {
        labels.join("、")
    }
}
