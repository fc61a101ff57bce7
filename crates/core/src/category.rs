//! Training categories (培训类别) and the rules each one carries.
//!
//! Categories are data that the center edits per term; [`default_categories`] seeds a new
//! term with the eight categories of the center's rules.

use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::evidence::EvidenceKind;
use crate::hours::Hours;
use crate::text::{is_space, name_key, trim_spaces};

/// Maximum hours of one training day unless a category sets another: one working day.
pub const DEFAULT_MAX_HOURS_PER_DAY: Hours = Hours::from_whole(8);

/// The rules of one category.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CategoryRules {
    /// Maximum hours of one claim, or `None` for no cap beyond the per-day maximum.
    pub max_hours_per_claim: Option<Hours>,
    /// Maximum hours of one calendar day of the training span.
    pub max_hours_per_day: Hours,
    /// Evidence a claim must carry.
    pub evidence: EvidenceRule,
    /// Whether a claim must point at an activity in the training ledger.
    pub requires_activity: bool,
    /// Whether the center credits this category's activities itself (学校认定项目).
    pub school_accredited: bool,
    /// Characters of typed training notes that satisfy the `notes` evidence kind when no
    /// notes file is uploaded.
    pub min_notes_chars: u32,
    /// Words of which a topic in this category usually contains at least one.
    pub scope_words: Vec<String>,
}

impl CategoryRules {
    /// Checks the values a center admin entered and returns every problem found.
    pub fn validate(&self) -> Result<(), Vec<ParseError>> {
        let mut errors = Vec::new();
        if let Some(cap) = self.max_hours_per_claim
            && (cap.tenths() <= 0 || !cap.is_half_step())
        {
            errors.push(ParseError::new(
                "每条上限",
                &cap.to_string(),
                format!("每条申报的学时上限 {cap} 无效，请填写大于 0 的整数或半小时，如 16 或 1.5；不设上限请留空。"),
            ));
        }
        let per_day = self.max_hours_per_day;
        if per_day.tenths() <= 0 || per_day > Hours::from_whole(24) || !per_day.is_half_step() {
            errors.push(ParseError::new(
                "每日上限",
                &per_day.to_string(),
                format!(
                    "每日学时上限 {per_day} 无效，请填写 0.5 到 24 之间的整数或半小时，通常为 8。"
                ),
            ));
        }
        if let Err(error) = self.evidence.validate() {
            errors.push(error);
        }
        if self
            .scope_words
            .iter()
            .any(|word| trim_spaces(word).is_empty())
        {
            errors.push(ParseError::new(
                "范围关键词",
                "",
                "范围关键词中有空白项，请删除后保存。",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Returns whether typed training notes are long enough to stand in for a notes file:
    /// non-empty and at least `min_notes_chars` characters, spaces not counted.
    pub fn notes_text_suffices(&self, notes_text: &str) -> bool {
        let count = notes_text.chars().filter(|c| !is_space(*c)).count();
        count > 0 && count >= self.min_notes_chars as usize
    }
}

/// Splits scope words as a center admin types them: separated by 、 , ， ; ； or spaces.
pub fn parse_scope_words(raw: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in raw.split(|c: char| matches!(c, '、' | ',' | '，' | ';' | '；') || is_space(c)) {
        let word = trim_spaces(word);
        if !word.is_empty() && !words.iter().any(|w| w == word) {
            words.push(word.to_owned());
        }
    }
    words
}

/// The evidence a claim needs: every group must be satisfied, and a group is satisfied by
/// any one of its kinds.
///
/// The text form lists groups separated by `;` and the kinds of a group by `|`:
/// `certificate|notes|sign_in;screenshot` reads "a certificate, notes or a sign-in sheet,
/// and a screenshot".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRule {
    pub groups: Vec<Vec<EvidenceKind>>,
}

impl EvidenceRule {
    /// Parses the text form and validates the rule. Kinds may be API names or Chinese
    /// labels, and full-width `；` and `｜` are accepted.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let text = crate::text::nfkc_trimmed(raw);
        let mut groups = Vec::new();
        for (index, group_text) in text.split(';').enumerate() {
            let mut group = Vec::new();
            for kind_text in group_text.split('|') {
                if trim_spaces(kind_text).is_empty() {
                    continue;
                }
                let kind = EvidenceKind::parse_label(kind_text).map_err(|_| {
                    rule_error(
                        raw,
                        format!(
                            "佐证要求第 {} 组中的“{}”不是佐证类型，可选：{}。",
                            index + 1,
                            trim_spaces(kind_text),
                            all_kind_names()
                        ),
                    )
                })?;
                group.push(kind);
            }
            groups.push(group);
        }
        let rule = Self { groups };
        rule.validate()?;
        Ok(rule)
    }

    /// Checks that the rule can be met and that it never accepts a notice or venue photos
    /// without any other evidence, since those show that a training was announced or held
    /// but not that this teacher took part.
    ///
    /// A group may still list a notice or photo beside other kinds, and a rule may require
    /// a notice as one of its groups, as long as some other group needs something else.
    pub fn validate(&self) -> Result<(), ParseError> {
        let raw = self.to_string();
        if self.groups.is_empty() {
            return Err(rule_error(
                &raw,
                "佐证要求不能为空，请至少设置一组，如 certificate|notes|sign_in。",
            ));
        }
        for (index, group) in self.groups.iter().enumerate() {
            if group.is_empty() {
                return Err(rule_error(
                    &raw,
                    format!(
                        "佐证要求第 {} 组为空，请填写至少一种佐证类型，或删除该组。",
                        index + 1
                    ),
                ));
            }
            for (position, kind) in group.iter().enumerate() {
                if group[..position].contains(kind) {
                    return Err(rule_error(
                        &raw,
                        format!(
                            "佐证要求第 {} 组中“{}”重复，请删去一个。",
                            index + 1,
                            kind.label()
                        ),
                    ));
                }
            }
        }
        let weak_only = self.groups.iter().all(|group| {
            group
                .iter()
                .any(|kind| matches!(kind, EvidenceKind::Notice | EvidenceKind::Photo))
        });
        if weak_only {
            return Err(rule_error(
                &raw,
                "按此佐证要求，仅有通知或现场照片也能满足，但通知和照片不能证明本人参加了培训。请让至少一组只包含证书、培训记录、签到表、学习截图等材料。",
            ));
        }
        Ok(())
    }

    /// Returns the groups that no available kind satisfies, in rule order.
    pub fn unmet_groups(
        &self,
        is_available: impl Fn(EvidenceKind) -> bool,
    ) -> Vec<&[EvidenceKind]> {
        self.groups
            .iter()
            .filter(|group| !group.iter().any(|kind| is_available(*kind)))
            .map(Vec::as_slice)
            .collect()
    }
}

/// Describes a group in Chinese, e.g. "结业证书/证书、培训记录或签到表".
pub fn describe_group(group: &[EvidenceKind]) -> String {
    match group.split_last() {
        None => String::new(),
        Some((last, [])) => last.label().to_owned(),
        Some((last, rest)) => {
            let head: Vec<&str> = rest.iter().map(|kind| kind.label()).collect();
            format!("{}或{}", head.join("、"), last.label())
        }
    }
}

fn all_kind_names() -> String {
    EvidenceKind::ALL
        .iter()
        .map(|kind| format!("{}（{}）", kind.as_str(), kind.label()))
        .collect::<Vec<_>>()
        .join("、")
}

fn rule_error(raw: &str, message: impl Into<String>) -> ParseError {
    ParseError::new("佐证要求", raw, message)
}

impl fmt::Display for EvidenceRule {
    /// Writes the text form with API names, e.g. `certificate|notes|sign_in;screenshot`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, group) in self.groups.iter().enumerate() {
            if index > 0 {
                f.write_str(";")?;
            }
            for (position, kind) in group.iter().enumerate() {
                if position > 0 {
                    f.write_str("|")?;
                }
                f.write_str(kind.as_str())?;
            }
        }
        Ok(())
    }
}

impl FromStr for EvidenceRule {
    type Err = ParseError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl serde::Serialize for EvidenceRule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for EvidenceRule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// One of the eight categories a new term starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryDefault {
    /// 1 to 8, in the order of the center's rules.
    pub code: u8,
    pub name: &'static str,
    /// One sentence saying what the category covers.
    pub scope: &'static str,
    pub rules: CategoryRules,
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|word| (*word).to_owned()).collect()
}

fn evidence(groups: &[&[EvidenceKind]]) -> EvidenceRule {
    EvidenceRule {
        groups: groups.iter().map(|group| group.to_vec()).collect(),
    }
}

/// Builds the eight default categories.
///
/// The caps per claim are set so that a 96-hour claim for one lecture series is over
/// every cap except that of further study, whose stays can run for months.
pub fn default_categories() -> Vec<CategoryDefault> {
    use EvidenceKind::{Certificate, Notes, Other, Screenshot, SignIn};

    let per_day = DEFAULT_MAX_HOURS_PER_DAY;
    vec![
        CategoryDefault {
            code: 1,
            name: "教师发展中心组织的培训",
            scope: "教师发展中心在校内外、线上或线下组织的培训，如新入职教师培训、教学能力提升专题培训。",
            rules: CategoryRules {
                // A multi-day programme of the center runs up to six full days; the linked
                // ledger activity bounds each claim more tightly.
                max_hours_per_claim: Some(Hours::from_whole(48)),
                max_hours_per_day: per_day,
                // The center holds its own sign-in sheets, so any record of attendance or
                // content suffices.
                evidence: evidence(&[&[Certificate, Notes, SignIn]]),
                // The center files all its activities and credits attendance itself.
                requires_activity: true,
                school_accredited: true,
                // About a paragraph: enough to say what the sessions taught.
                min_notes_chars: 200,
                scope_words: words(&[
                    "培训",
                    "研修",
                    "专题",
                    "工作坊",
                    "讲座",
                    "课程",
                    "训练营",
                    "学习",
                ]),
            },
        },
        CategoryDefault {
            code: 2,
            name: "教师发展中心组织的教师发展活动",
            scope: "教师发展中心组织的教学沙龙、工作坊、教学比赛、观摩交流等教师发展活动。",
            rules: CategoryRules {
                // Salons and workshops last a few hours; two full days is generous.
                max_hours_per_claim: Some(Hours::from_whole(16)),
                max_hours_per_day: per_day,
                // Activities rarely give certificates; notes or sign-in show attendance.
                evidence: evidence(&[&[Notes, SignIn, Certificate]]),
                requires_activity: true,
                school_accredited: true,
                min_notes_chars: 200,
                scope_words: words(&[
                    "沙龙",
                    "工作坊",
                    "研讨",
                    "交流",
                    "观摩",
                    "比赛",
                    "竞赛",
                    "大赛",
                    "分享",
                    "活动",
                    "讲座",
                    "论坛",
                    "午餐会",
                    "读书会",
                ]),
            },
        },
        CategoryDefault {
            code: 3,
            name: "院（部）组织的培训",
            scope: "院（部）组织的专题培训，如专业建设、课程建设、教学方法与信息技术培训。",
            rules: CategoryRules {
                // A unit's training seldom exceeds four full days.
                max_hours_per_claim: Some(Hours::from_whole(32)),
                max_hours_per_day: per_day,
                evidence: evidence(&[&[Certificate, Notes, SignIn]]),
                // Units must file their trainings in the ledger before teachers claim them.
                requires_activity: true,
                school_accredited: false,
                min_notes_chars: 200,
                scope_words: words(&[
                    "培训",
                    "研修",
                    "专题",
                    "工作坊",
                    "讲座",
                    "课程",
                    "训练营",
                    "学习",
                ]),
            },
        },
        CategoryDefault {
            code: 4,
            name: "院（部）组织的教师发展活动",
            scope: "院（部）组织的教研活动、集体备课、听课评课、教学沙龙与经验分享等教师发展活动。",
            rules: CategoryRules {
                // As for the center's activities: two full days at most.
                max_hours_per_claim: Some(Hours::from_whole(16)),
                max_hours_per_day: per_day,
                // Unit activities issue no certificates; notes or the unit's sign-in sheet.
                evidence: evidence(&[&[Notes, SignIn]]),
                requires_activity: true,
                school_accredited: false,
                min_notes_chars: 200,
                scope_words: words(&[
                    "沙龙",
                    "工作坊",
                    "研讨",
                    "交流",
                    "观摩",
                    "听课",
                    "评课",
                    "说课",
                    "教研",
                    "备课",
                    "分享",
                    "活动",
                    "比赛",
                    "竞赛",
                    "讲座",
                ]),
            },
        },
        CategoryDefault {
            code: 5,
            name: "校外培训",
            scope: "教师参加校外机构在线上或线下组织的培训，如教育主管部门、高校或行业协会举办的培训班。",
            rules: CategoryRules {
                // A week-long external course is about 40 hours; 48 leaves room for six days.
                max_hours_per_claim: Some(Hours::from_whole(48)),
                max_hours_per_day: per_day,
                // Online courses prove completion with learning screenshots.
                evidence: evidence(&[&[Certificate, Notes, Screenshot]]),
                // External trainings are not in the school's ledger.
                requires_activity: false,
                school_accredited: false,
                min_notes_chars: 200,
                scope_words: words(&[
                    "培训",
                    "研修",
                    "课程",
                    "学习",
                    "训练营",
                    "研讨班",
                    "工作坊",
                    "讲座",
                    "进修班",
                    "高级研修",
                ]),
            },
        },
        CategoryDefault {
            code: 6,
            name: "校内组织的其他学术活动",
            scope: "在校内举办的学术讲座、学术报告、研讨会、论坛、学术会议等其他学术活动。",
            rules: CategoryRules {
                // A lecture gives a few hours and a conference two days at most.
                max_hours_per_claim: Some(Hours::from_whole(16)),
                max_hours_per_day: per_day,
                evidence: evidence(&[&[Notes, SignIn, Certificate]]),
                requires_activity: false,
                school_accredited: false,
                min_notes_chars: 200,
                scope_words: words(&[
                    "讲座", "报告", "研讨", "论坛", "会议", "沙龙", "学术", "交流", "讲堂",
                ]),
            },
        },
        CategoryDefault {
            code: 7,
            name: "进修、访学、研修",
            scope: "教师到国内外高校或科研院所进修、访学或研修。",
            rules: CategoryRules {
                // Stays run for weeks or months; the per-day maximum still bounds a claim.
                // TODO: the center has not stated a cap for further study; set one here
                // once it does.
                max_hours_per_claim: None,
                max_hours_per_day: per_day,
                // Proof of the stay (a certificate, or another document such as the host's
                // letter) and a written account of what was studied.
                evidence: evidence(&[&[Certificate, Other], &[Notes]]),
                requires_activity: false,
                school_accredited: false,
                // A stay's account covers weeks of work, so it is longer than a session's.
                min_notes_chars: 500,
                scope_words: words(&[
                    "进修",
                    "访学",
                    "访问学者",
                    "研修",
                    "学位",
                    "博士后",
                    "访问",
                    "交流学习",
                ]),
            },
        },
        CategoryDefault {
            code: 8,
            name: "社会实践",
            scope: "教师到企业、行业或基层单位参加实践锻炼、挂职或调研。",
            rules: CategoryRules {
                // Eight full days in one claim; longer placements are claimed in parts.
                max_hours_per_claim: Some(Hours::from_whole(64)),
                max_hours_per_day: per_day,
                // The host's certificate or letter, and an account of the practice.
                evidence: evidence(&[&[Certificate, Other], &[Notes]]),
                requires_activity: false,
                school_accredited: false,
                min_notes_chars: 500,
                scope_words: words(&[
                    "实践",
                    "挂职",
                    "企业",
                    "行业",
                    "调研",
                    "锻炼",
                    "实习",
                    "顶岗",
                    "基地",
                    "考察",
                    "产教融合",
                    "校企",
                ]),
            },
        },
    ]
}

/// Finds the category code (1 to 8) for a category name as people write it in history
/// spreadsheets: with or without 的, with ASCII or full-width parentheses, with a leading
/// number such as "5." or "（五）", or in an unambiguous short form such as 校外培训 or 进修.
pub fn category_code_from_name(raw: &str) -> Option<u8> {
    let key = category_key(raw);
    if key.is_empty() {
        return None;
    }
    if let [digit @ b'1'..=b'8'] = key.as_bytes() {
        return Some(digit - b'0');
    }
    let key = strip_numbering(&key);
    let code = match key {
        "教师发展中心组织培训" | "教师发展中心培训" | "中心组织培训" | "中心培训" => {
            1
        }
        "教师发展中心组织教师发展活动"
        | "教师发展中心组织活动"
        | "教师发展中心教师发展活动"
        | "教师发展中心活动"
        | "中心组织教师发展活动"
        | "中心活动" => 2,
        "院部组织培训" | "院部培训" | "学院组织培训" | "院系组织培训" => 3,
        "院部组织教师发展活动"
        | "院部教师发展活动"
        | "院部组织活动"
        | "院部活动"
        | "学院组织教师发展活动"
        | "院系组织教师发展活动" => 4,
        "校外培训" | "校外组织培训" | "外出培训" => 5,
        "校内组织其他学术活动"
        | "校内其他学术活动"
        | "其他学术活动"
        | "校内组织学术活动"
        | "校内学术活动"
        | "学术活动" => 6,
        "进修访学研修" | "进修访学" | "访学研修" | "进修研修" | "进修" | "访学" | "研修"
        | "访问学者" => 7,
        "社会实践" | "社会实践活动" | "社会实践锻炼" => 8,
        _ => return None,
    };
    Some(code)
}

/// Builds the matching key of a category name: [`name_key`] without brackets, list
/// punctuation and the particle 的.
fn category_key(raw: &str) -> String {
    name_key(raw)
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '(' | ')'
                    | '['
                    | ']'
                    | '【'
                    | '】'
                    | '、'
                    | ','
                    | '/'
                    | '·'
                    | '"'
                    | '“'
                    | '”'
                    | '的'
            )
        })
        .collect()
}

/// Drops a leading list number: "5." "5、" "5:" "(五)" (brackets are already gone).
fn strip_numbering(key: &str) -> &str {
    let rest =
        key.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八".contains(c));
    if rest.len() == key.len() {
        return key;
    }
    let rest = rest.trim_start_matches(['.', '、', ':', '-']);
    if rest.is_empty() { key } else { rest }
}

/// Returns whether a topic contains one of the scope words, compared on [`name_key`].
pub fn topic_in_scope(rules: &CategoryRules, topic: &str) -> bool {
    let topic = name_key(topic);
    rules
        .scope_words
        .iter()
        .map(|word| name_key(word))
        .any(|word| !word.is_empty() && topic.contains(&word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use EvidenceKind::*;

    fn rule(raw: &str) -> EvidenceRule {
        EvidenceRule::parse(raw).unwrap()
    }

    #[test]
    fn rule_text_round_trips() {
        for raw in [
            "certificate|notes|sign_in;screenshot",
            "notes|sign_in",
            "certificate|other;notes",
            "certificate|photo;notes",
            "notice;certificate",
        ] {
            assert_eq!(rule(raw).to_string(), raw);
        }
    }

    #[test]
    fn every_default_rule_round_trips() {
        for category in default_categories() {
            let text = category.rules.evidence.to_string();
            assert_eq!(rule(&text), category.rules.evidence, "{}", category.name);
        }
    }

    #[test]
    fn rule_accepts_labels_and_full_width() {
        let parsed = rule("结业证书｜培训记录 | 签到表；学习截图");
        assert_eq!(
            parsed.groups,
            vec![vec![Certificate, Notes, SignIn], vec![Screenshot]]
        );
    }

    #[test]
    fn rule_met_by_notice_alone_is_rejected() {
        let error = EvidenceRule::parse("certificate|notice").unwrap_err();
        assert!(error.message.contains("通知"), "{}", error.message);
    }

    #[test]
    fn rule_met_by_photos_alone_is_rejected() {
        assert!(EvidenceRule::parse("photo").is_err());
        assert!(EvidenceRule::parse("notice;photo|notes").is_err());
    }

    #[test]
    fn rule_requiring_notice_beside_record_is_valid() {
        assert!(EvidenceRule::parse("notice;certificate|notes").is_ok());
    }

    #[test]
    fn empty_rule_and_group_are_rejected() {
        assert!(EvidenceRule::parse("").is_err());
        let error = EvidenceRule::parse("certificate;;notes").unwrap_err();
        assert!(error.message.contains("第 2 组为空"), "{}", error.message);
    }

    #[test]
    fn repeated_kind_in_group_is_rejected() {
        let error = EvidenceRule::parse("notes|certificate|notes").unwrap_err();
        assert!(error.message.contains("培训记录"), "{}", error.message);
    }

    #[test]
    fn unknown_kind_names_group_and_choices() {
        let error = EvidenceRule::parse("certificate;diploma").unwrap_err();
        assert!(error.message.contains("第 2 组"), "{}", error.message);
        assert!(error.message.contains("diploma"), "{}", error.message);
    }

    #[test]
    fn unmet_groups_lists_only_missing() {
        let parsed = rule("certificate|notes;screenshot");
        let unmet = parsed.unmet_groups(|kind| kind == Notes);
        assert_eq!(unmet, vec![&[Screenshot][..]]);
        assert!(parsed.unmet_groups(|_| true).is_empty());
    }

    #[test]
    fn group_description_reads_as_choice() {
        assert_eq!(
            describe_group(&[Certificate, Notes, SignIn]),
            "结业证书/证书、培训记录或签到表"
        );
        assert_eq!(describe_group(&[Screenshot]), "学习截图");
    }

    #[test]
    fn serde_uses_text_form() {
        let json = serde_json::to_string(&rule("notes|sign_in")).unwrap();
        assert_eq!(json, "\"notes|sign_in\"");
        assert!(serde_json::from_str::<EvidenceRule>("\"photo\"").is_err());
    }

    #[test]
    fn defaults_are_eight_valid_categories_in_order() {
        let categories = default_categories();
        let codes: Vec<u8> = categories.iter().map(|c| c.code).collect();
        assert_eq!(codes, vec![1, 2, 3, 4, 5, 6, 7, 8]);
        for category in &categories {
            assert_eq!(category.rules.validate(), Ok(()), "{}", category.name);
        }
    }

    #[test]
    fn defaults_keep_exact_names() {
        let names: Vec<&str> = default_categories().iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            vec![
                "教师发展中心组织的培训",
                "教师发展中心组织的教师发展活动",
                "院（部）组织的培训",
                "院（部）组织的教师发展活动",
                "校外培训",
                "校内组织的其他学术活动",
                "进修、访学、研修",
                "社会实践",
            ]
        );
    }

    #[test]
    fn lecture_series_of_96_hours_exceeds_every_cap_but_study() {
        let claimed = Hours::from_whole(96);
        for category in default_categories() {
            let over = category
                .rules
                .max_hours_per_claim
                .is_some_and(|cap| claimed > cap);
            assert_eq!(over, category.code != 7, "{}", category.name);
        }
    }

    #[test]
    fn center_and_unit_categories_require_activity() {
        for category in default_categories() {
            let rules = &category.rules;
            assert_eq!(
                rules.requires_activity,
                category.code <= 4,
                "{}",
                category.name
            );
            assert_eq!(
                rules.school_accredited,
                category.code <= 2,
                "{}",
                category.name
            );
        }
    }

    #[test]
    fn every_default_category_name_maps_to_its_code() {
        for category in default_categories() {
            assert_eq!(
                category_code_from_name(category.name),
                Some(category.code),
                "{}",
                category.name
            );
        }
    }

    #[test]
    fn written_category_variants_map() {
        let cases = [
            ("院(部)组织的培训", 3),
            ("院部组织的教师发展活动", 4),
            ("院（部）组织教师发展活动", 4),
            ("教师发展中心组织培训", 1),
            ("\u{3000}校外培训 ", 5),
            ("进修", 7),
            ("进修/访学/研修", 7),
            ("5.校外培训", 5),
            ("（八）社会实践", 8),
            ("6", 6),
            ("其他学术活动", 6),
        ];
        for (raw, code) in cases {
            assert_eq!(category_code_from_name(raw), Some(code), "{raw:?}");
        }
    }

    #[test]
    fn unknown_or_ambiguous_category_is_none() {
        for raw in ["", "培训", "活动", "9", "科研项目", "教师发展活动"] {
            assert_eq!(category_code_from_name(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn scope_words_split_as_typed() {
        assert_eq!(
            parse_scope_words("实践、挂职，企业 ; 实践"),
            vec!["实践", "挂职", "企业"]
        );
    }

    #[test]
    fn topic_scope_matches_words() {
        let categories = default_categories();
        let practice = &categories[7].rules;
        assert!(topic_in_scope(practice, "赴某科技企业实践锻炼"));
        assert!(!topic_in_scope(practice, "人文社科学术研讨会"));
    }

    #[test]
    fn notes_text_counts_characters_without_spaces() {
        let mut rules = default_categories()[0].rules.clone();
        rules.min_notes_chars = 5;
        assert!(rules.notes_text_suffices("第一讲 教学设计"));
        assert!(!rules.notes_text_suffices("讲 座  \u{3000}"));
        rules.min_notes_chars = 0;
        assert!(!rules.notes_text_suffices("  "));
    }

    #[test]
    fn invalid_rules_report_every_field() {
        let mut rules = default_categories()[0].rules.clone();
        rules.max_hours_per_claim = Some(Hours::ZERO);
        rules.max_hours_per_day = Hours::from_whole(25);
        rules.scope_words.push(" ".to_owned());
        let errors = rules.validate().unwrap_err();
        assert_eq!(errors.len(), 3);
    }
}
