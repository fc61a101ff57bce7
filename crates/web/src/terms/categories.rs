//! A category's name, scope and rules as the center edits them, and the rules in words.

use std::str::FromStr;

use xueshi_core::category::{describe_group, parse_scope_words};
use xueshi_core::text::{name_key, trim_spaces};
use xueshi_core::{CategoryRules, EvidenceKind, EvidenceRule, Hours, TermCode};
use xueshi_store::audit::{self, Actor, AuditEntry};
use xueshi_store::categories::{self, Category, UpdateError};
use xueshi_store::{Db, terms};

use super::{field_error, invalid_fields};
use crate::error::{AppError, AppResult, FieldError};

/// Maximum characters of a category name.
const MAX_NAME_CHARS: usize = 60;
/// Maximum characters of a category's scope text.
const MAX_SCOPE_CHARS: usize = 500;
/// Maximum evidence groups of one rule. Real rules use one or two.
pub const MAX_GROUPS: usize = 10;

/// The edit form of a category as typed, kept so an invalid form can be shown again.
#[derive(Debug, Clone, Default)]
pub struct CategoryInput {
    pub name: String,
    pub scope: String,
    /// Blank means no cap per claim.
    pub max_hours_per_claim: String,
    pub max_hours_per_day: String,
    /// One entry per group row of the form; an empty row is dropped when saved.
    pub evidence_groups: Vec<Vec<EvidenceKind>>,
    pub requires_activity: bool,
    pub school_accredited: bool,
    pub min_notes_chars: String,
    /// Words separated by 、 (commas and spaces are accepted too).
    pub scope_words: String,
}

impl CategoryInput {
    /// Fills the inputs with a stored category.
    pub fn from_category(category: &Category) -> Self {
        let rules = &category.rules;
        Self {
            name: category.name.clone(),
            scope: category.scope.clone(),
            max_hours_per_claim: rules
                .max_hours_per_claim
                .map(|hours| hours.to_string())
                .unwrap_or_default(),
            max_hours_per_day: rules.max_hours_per_day.to_string(),
            evidence_groups: rules.evidence.groups.clone(),
            requires_activity: rules.requires_activity,
            school_accredited: rules.school_accredited,
            min_notes_chars: rules.min_notes_chars.to_string(),
            scope_words: rules.scope_words.join("、"),
        }
    }

    /// Reads the form's fields from URL-encoded pairs. Evidence check boxes are named
    /// `group0`, `group1`, … with an evidence kind as value, and `groups` contains the number
    /// of group rows the form showed.
    pub fn from_pairs(pairs: &[(String, String)]) -> AppResult<Self> {
        let value = |key: &str| {
            pairs
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value.clone())
                .unwrap_or_default()
        };
        let is_on = |key: &str| {
            pairs
                .iter()
                .any(|(name, value)| name == key && !value.is_empty())
        };
        let group_rows = value("groups")
            .trim()
            .parse::<usize>()
            .unwrap_or(0)
            .min(MAX_GROUPS);
        let mut evidence_groups = vec![Vec::new(); group_rows];
        for (name, value) in pairs {
            let Some(index) = name
                .strip_prefix("group")
                .and_then(|n| n.parse::<usize>().ok())
            else {
                continue;
            };
            let Some(group) = evidence_groups.get_mut(index) else {
                continue;
            };
            let kind = EvidenceKind::from_str(value).map_err(AppError::from)?;
            if !group.contains(&kind) {
                group.push(kind);
            }
        }
        for group in &mut evidence_groups {
            group.sort_by_key(|kind| EvidenceKind::ALL.iter().position(|k| k == kind));
        }
        Ok(Self {
            name: value("name"),
            scope: value("scope"),
            max_hours_per_claim: value("max_hours_per_claim"),
            max_hours_per_day: value("max_hours_per_day"),
            evidence_groups,
            requires_activity: is_on("requires_activity"),
            school_accredited: is_on("school_accredited"),
            min_notes_chars: value("min_notes_chars"),
            scope_words: value("scope_words"),
        })
    }
}

/// A category's cleaned name, scope and rules, ready to store.
struct ParsedCategory {
    name: String,
    scope: String,
    rules: CategoryRules,
}

/// Parses the inputs and validates the rules with `CategoryRules::validate`, returning
/// every problem at once.
fn parse_category(input: &CategoryInput) -> AppResult<ParsedCategory> {
    let mut errors: Vec<FieldError> = Vec::new();
    let name = trim_spaces(&input.name).to_owned();
    if name.is_empty() {
        errors.push(FieldError {
            field: "类别名称".into(),
            message: "类别名称不能为空。".into(),
        });
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.push(FieldError {
            field: "类别名称".into(),
            message: format!("类别名称过长，最多 {MAX_NAME_CHARS} 个字。"),
        });
    }
    let scope = trim_spaces(&input.scope).to_owned();
    if scope.chars().count() > MAX_SCOPE_CHARS {
        errors.push(FieldError {
            field: "认定范围".into(),
            message: format!("认定范围说明过长，最多 {MAX_SCOPE_CHARS} 个字。"),
        });
    }
    let max_hours_per_claim = if trim_spaces(&input.max_hours_per_claim).is_empty() {
        Some(None)
    } else {
        Hours::parse("每条上限", &input.max_hours_per_claim)
            .map(Some)
            .map_err(|error| errors.push(field_error(error)))
            .ok()
    };
    let max_hours_per_day = Hours::parse("每日上限", &input.max_hours_per_day)
        .map_err(|error| errors.push(field_error(error)))
        .ok();
    let min_notes_chars = match trim_spaces(&input.min_notes_chars) {
        "" => Some(0),
        text => match text.parse::<u32>() {
            Ok(count) if count <= 100_000 => Some(count),
            _ => {
                errors.push(FieldError {
                    field: "培训记录最少字数".into(),
                    message: format!(
                        "培训记录最少字数“{text}”无效，请填写 0 到 100000 之间的整数，如 200；填 0 表示不限字数。"
                    ),
                });
                None
            }
        },
    };
    let (Some(max_hours_per_claim), Some(max_hours_per_day), Some(min_notes_chars)) =
        (max_hours_per_claim, max_hours_per_day, min_notes_chars)
    else {
        return Err(invalid_fields(errors));
    };

    let rules = CategoryRules {
        max_hours_per_claim,
        max_hours_per_day,
        evidence: EvidenceRule {
            groups: input
                .evidence_groups
                .iter()
                .filter(|group| !group.is_empty())
                .cloned()
                .collect(),
        },
        requires_activity: input.requires_activity,
        school_accredited: input.school_accredited,
        min_notes_chars,
        scope_words: parse_scope_words(&input.scope_words),
    };
    if let Err(rule_errors) = rules.validate() {
        errors.extend(rule_errors.into_iter().map(field_error));
    }
    if !errors.is_empty() {
        return Err(invalid_fields(errors));
    }
    Ok(ParsedCategory { name, scope, rules })
}

fn category_json(name: &str, scope: &str, rules: &CategoryRules) -> serde_json::Value {
    serde_json::json!({ "name": name, "scope": scope, "rules": rules })
}

/// Finds the category numbered `code` (1 to 8) of a term.
pub async fn find_category(
    conn: &mut xueshi_store::Conn,
    term: TermCode,
    code: &str,
) -> AppResult<Category> {
    let code: u8 = code.trim().parse().map_err(|_| AppError::NotFound)?;
    categories::find_by_code(conn, term, code)
        .await?
        .ok_or(AppError::NotFound)
}

/// Replaces the name, scope and rules of the category numbered `code` of `term`.
pub async fn update_category(
    db: &Db,
    actor: &Actor,
    term: TermCode,
    code: u8,
    input: &CategoryInput,
) -> AppResult<Category> {
    let parsed = parse_category(input)?;

    let mut tx = db.begin_write().await?;
    terms::get(&mut tx, term).await?;
    let before = categories::find_by_code(&mut tx, term, code)
        .await?
        .ok_or(AppError::NotFound)?;
    let siblings = categories::list_for_term(&mut tx, term).await?;
    if let Some(other) = siblings
        .iter()
        .find(|other| other.code != code && name_key(&other.name) == name_key(&parsed.name))
    {
        return Err(AppError::invalid(format!(
            "本学期第 {} 类已叫“{}”，类别名称不能重复。",
            other.code, other.name
        )));
    }

    categories::update(
        &mut tx,
        &before.id,
        &parsed.name,
        &parsed.scope,
        &parsed.rules,
    )
    .await
    .map_err(|error| match error {
        UpdateError::Invalid(errors) => {
            invalid_fields(errors.into_iter().map(field_error).collect())
        }
        UpdateError::Store(error) => error.into(),
    })?;
    let entry = AuditEntry {
        entity: "category",
        entity_id: &before.id,
        action: "update",
        before: Some(category_json(&before.name, &before.scope, &before.rules)),
        after: Some(category_json(&parsed.name, &parsed.scope, &parsed.rules)),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    xueshi_store::commit(tx).await?;
    tracing::info!(term.code = %term, category.code = code, "category updated");
    Ok(Category {
        name: parsed.name,
        scope: parsed.scope,
        rules: parsed.rules,
        ..before
    })
}

/// Describes the evidence a rule requires, e.g. "结业证书/证书或其他，并且须有培训记录".
pub fn evidence_in_words(rule: &EvidenceRule) -> String {
    rule.groups
        .iter()
        .map(|group| describe_group(group))
        .collect::<Vec<_>>()
        .join("，并且须有")
}

/// One rule of a category as a label and a sentence, for the category list.
pub struct RuleLine {
    pub label: &'static str,
    pub text: String,
}

/// Describes every rule of a category in words.
pub fn rules_in_words(rules: &CategoryRules) -> Vec<RuleLine> {
    let mut lines = vec![
        RuleLine {
            label: "每条上限",
            text: match rules.max_hours_per_claim {
                Some(cap) => format!("每条申报最多 {cap} 学时"),
                None => "不设上限（仍受每日上限约束）".to_owned(),
            },
        },
        RuleLine {
            label: "每日上限",
            text: format!("培训期间每天最多 {} 学时", rules.max_hours_per_day),
        },
        RuleLine {
            label: "佐证材料",
            text: format!("须有{}", evidence_in_words(&rules.evidence)),
        },
    ];
    if rules
        .evidence
        .groups
        .iter()
        .flatten()
        .any(|kind| *kind == EvidenceKind::Notes)
    {
        lines.push(RuleLine {
            label: "培训记录",
            text: if rules.min_notes_chars == 0 {
                "填写的培训记录文字可代替培训记录文件".to_owned()
            } else {
                format!(
                    "填写的培训记录文字不少于 {} 字时，可代替培训记录文件",
                    rules.min_notes_chars
                )
            },
        });
    }
    lines.push(RuleLine {
        label: "台账活动",
        text: if rules.requires_activity {
            "申报时须选择培训台账中的活动".to_owned()
        } else {
            "无须关联台账活动".to_owned()
        },
    });
    if rules.school_accredited {
        lines.push(RuleLine {
            label: "学校认定",
            text: "学校认定项目：按签到直接计入学时，教师不得申报".to_owned(),
        });
    }
    lines.push(RuleLine {
        label: "范围关键词",
        text: if rules.scope_words.is_empty() {
            "未设置".to_owned()
        } else {
            rules.scope_words.join("、")
        },
    });
    lines
}
