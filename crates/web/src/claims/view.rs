//! Small pieces the claim pages share: the term being shown, its submission window, and
//! dates, times and category rules in words.

use jiff::civil::Date;
use xueshi_core::category::describe_group;
use xueshi_core::date::{school_date, school_time_zone};
use xueshi_core::{CategoryRules, TermCode};
use xueshi_store::categories::Category;
use xueshi_store::claims::{self, ClaimFlag, MIRRORED_FLAG_CODES};
use xueshi_store::terms::{self, Term};
use xueshi_store::{Conn, StoreError};

use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// Returns today's date in Asia/Shanghai.
pub fn today() -> Date {
    school_date(jiff::Timestamp::now())
}

/// A term's submission window as a page shows it.
#[derive(Debug, Clone)]
pub struct WindowView {
    pub open: bool,
    pub text: String,
}

impl WindowView {
    pub fn of(term: &Term, today: Date) -> Self {
        let (start, end) = (term.window_start, term.window_end);
        if today < start {
            return Self {
                open: false,
                text: format!("申报将于 {start} 开放，开放至 {end}。现在可以先保存草稿。"),
            };
        }
        if today > end {
            return Self {
                open: false,
                text: format!("本学期申报已于 {end} 截止（开放时间 {start} 至 {end}）。"),
            };
        }
        Self {
            open: true,
            text: format!("申报开放中：{start} 至 {end}，请在截止前提交。"),
        }
    }
}

/// Finds the term a page shows: the one named in the query, else the current term, else
/// the newest. Returns it with every term, newest first, for the term switcher.
pub async fn resolve_term(
    conn: &mut Conn,
    raw: Option<&str>,
) -> AppResult<(Option<Term>, Vec<Term>)> {
    let all = terms::list(conn).await?;
    let raw = raw.map(str::trim).filter(|raw| !raw.is_empty());
    if let Some(raw) = raw {
        let code = TermCode::parse(raw)?;
        return match terms::get(conn, code).await {
            Ok(term) => Ok((Some(term), all)),
            Err(StoreError::NotFound) => Err(AppError::NotFound),
            Err(error) => Err(error.into()),
        };
    }
    let current = match terms::current(conn, today()).await? {
        Some(term) => Some(term),
        None => all.first().cloned(),
    };
    Ok((current, all))
}

/// Writes a time (milliseconds since the Unix epoch) in Asia/Shanghai, to the minute.
pub fn time_text(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|time| {
            time.to_zoned_datetime(school_time_zone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Writes a date span: one date for a one-day training, else "start 至 end".
pub fn dates_text(start: Date, end: Date) -> String {
    if start == end {
        start.to_string()
    } else {
        format!("{start} 至 {end}")
    }
}

/// Describes a category's rules in sentences for the claim form and page.
pub fn rules_text(category: &Category) -> Vec<String> {
    let rules: &CategoryRules = &category.rules;
    let mut lines = Vec::new();
    if rules.school_accredited {
        lines.push(
            "学校认定项目：教师发展中心按签到直接认定学时，已签到的教师无须申报。".to_owned(),
        );
    }
    match rules.max_hours_per_claim {
        Some(cap) => lines.push(format!(
            "每条申报最多 {cap} 学时，每天最多 {} 学时。",
            rules.max_hours_per_day
        )),
        None => lines.push(format!(
            "每条申报不设总上限，每天最多 {} 学时。",
            rules.max_hours_per_day
        )),
    }
    let groups: Vec<String> = rules
        .evidence
        .groups
        .iter()
        .map(|group| {
            if group.len() == 1 {
                describe_group(group)
            } else {
                format!("{}（任选其一）", describe_group(group))
            }
        })
        .collect();
    lines.push(format!(
        "需要的佐证材料：{}。培训记录也可以直接填写，不少于 {} 字。通知和现场照片不能单独作为佐证。",
        groups.join("；另需"),
        rules.min_notes_chars
    ));
    if rules.requires_activity {
        lines.push("须选择培训台账中已备案的活动；找不到时请联系组织单位先备案。".to_owned());
    } else {
        lines.push("无须关联培训台账中的活动。".to_owned());
    }
    lines
}

/// Returns a flag's message for the viewer. The flag that a colleague's submission left on
/// the teacher's claim quotes the colleague's topic, so the teacher reads a message without
/// it, since teachers never see each other's claims. Reviewers read it as stored.
pub async fn flag_text(
    conn: &mut Conn,
    user: &CurrentUser,
    is_owner: bool,
    flag: &ClaimFlag,
) -> AppResult<String> {
    let Some(related) = flag.related_claim_id.as_deref() else {
        return Ok(flag.message.clone());
    };
    if !is_owner || !MIRRORED_FLAG_CODES.contains(&flag.code.as_str()) {
        return Ok(flag.message.clone());
    }
    let related = match claims::get(conn, related).await {
        Ok(claim) => claim,
        Err(StoreError::NotFound) => return Ok(flag.message.clone()),
        Err(error) => return Err(error.into()),
    };
    let quotes_colleague = related.teacher_id != user.person_id
        && flag.message.contains(&format!("“{}”", related.topic));
    if !quotes_colleague {
        return Ok(flag.message.clone());
    }
    Ok(match flag.code.as_str() {
        "similar_photo" => {
            "照片与其他教师申报中的照片高度相似，请核实照片是否为本次培训现场所拍。".to_owned()
        }
        _ => "佐证材料与其他教师申报中的文件完全相同，请核实该材料是否为本人参加培训所得。"
            .to_owned(),
    })
}
