//! Detection of topics that name several trainings in one claim.

use unicode_normalization::UnicodeNormalization;

/// The sign that a topic names several trainings, with the parts found, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicBundle {
    /// Two or more separate dates, e.g. "3月15日…；4月2日…".
    Dates(Vec<String>),
    /// Two or more titles in 《》.
    Titles(Vec<String>),
    /// Two or more parts joined by 、 及 和 与 ； that each end with a word naming a
    /// training, e.g. "人工智能讲座、课程思政培训".
    Segments(Vec<String>),
}

/// Finds the first sign that a topic names several trainings, checking dates, then
/// 《》 titles, then joined parts.
///
/// One training about two subjects is not a bundle: in "课程思政与教学设计专题培训" only
/// the last part ends with a training word. A date range such as "3月15日至3月17日"
/// counts as one date.
pub fn find_bundled_trainings(topic: &str) -> Option<TopicBundle> {
    let text: String = topic.nfkc().collect();
    let chars: Vec<char> = text.chars().collect();

    let dates = date_mentions(&chars);
    if dates.len() >= 2 {
        return Some(TopicBundle::Dates(dates));
    }
    let titles = book_titles(&text);
    if titles.len() >= 2 {
        return Some(TopicBundle::Titles(titles));
    }
    let segments = training_segments(&text);
    if segments.len() >= 2 {
        return Some(TopicBundle::Segments(segments));
    }
    None
}

/// Words that end the name of a training or event. Deliberately without 课程, 学习,
/// 活动 and a bare 报告, which also end subjects ("课程思政", "科研报告").
const TRAINING_ENDINGS: &[&str] = &[
    "培训",
    "培训班",
    "培训会",
    "讲座",
    "报告会",
    "学术报告",
    "专题报告",
    "研讨",
    "研讨会",
    "研讨班",
    "论坛",
    "会议",
    "年会",
    "沙龙",
    "工作坊",
    "研修",
    "研修班",
    "进修班",
    "学习班",
    "训练营",
    "比赛",
    "大赛",
    "竞赛",
    "交流会",
    "座谈会",
    "分享会",
    "宣讲会",
    "观摩",
    "观摩课",
    "公开课",
    "示范课",
];

/// Returns the parts of the topic, split at 、 及 和 与 ； ;, that end with a training
/// word once a trailing bracketed note such as "（第二期）" is dropped.
fn training_segments(text: &str) -> Vec<String> {
    text.split(['、', '及', '和', '与', '；', ';'])
        .map(str::trim)
        .filter(|segment| {
            let core = strip_trailing_note(segment);
            TRAINING_ENDINGS.iter().any(|word| core.ends_with(word))
        })
        .map(str::to_owned)
        .collect()
}

/// Drops trailing bracketed notes and trailing punctuation: "培训（线上）。" → "培训".
fn strip_trailing_note(segment: &str) -> &str {
    let mut core =
        segment.trim_end_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '】');
    while let Some(inner) = core.strip_suffix(')').or_else(|| core.strip_suffix('】')) {
        let open = inner.rfind(['(', '【']);
        core = match open {
            Some(index) => inner[..index].trim_end(),
            None => inner,
        };
        core = core.trim_end_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '】');
    }
    core
}

/// Returns the non-empty titles in 《》.
fn book_titles(text: &str) -> Vec<String> {
    let mut titles = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('《') {
        let after = &rest[open + '《'.len_utf8()..];
        let Some(close) = after.find('》') else {
            break;
        };
        let title = after[..close].trim();
        if !title.is_empty() {
            titles.push(format!("《{title}》"));
        }
        rest = &after[close + '》'.len_utf8()..];
    }
    titles
}

/// Connectors of a date range: the two dates around one of these are one mention.
const RANGE_CONNECTORS: &[&str] = &["-", "~", "—", "——", "–", "至", "到", "--"];

/// Returns the date mentions of the text, as written, with date ranges merged into one.
///
/// Forms recognized: 2023-03-15, 2023/3/15, 2023.3.15, 2023年3月15日, 3月15日 (or 号, or
/// no suffix) and 3.15 or 3/15. A month alone ("3月份") is not a date.
fn date_mentions(chars: &[char]) -> Vec<String> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let starts_number = chars[index].is_ascii_digit()
            && (index == 0 || !(chars[index - 1].is_ascii_digit() || chars[index - 1] == '.'));
        if !starts_number {
            index += 1;
            continue;
        }
        match date_at(chars, index) {
            Some(end) => {
                spans.push((index, end));
                index = end;
            }
            None => index = digits_end(chars, index),
        }
    }

    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        if let Some(last) = merged.last_mut() {
            let gap: String = chars[last.1..start].iter().collect();
            if RANGE_CONNECTORS.contains(&gap.trim()) {
                last.1 = end;
                continue;
            }
        }
        merged.push((start, end));
    }
    merged
        .into_iter()
        .map(|(start, end)| chars[start..end].iter().collect())
        .collect()
}

fn digits_end(chars: &[char], start: usize) -> usize {
    let mut end = start;
    while end < chars.len() && chars[end].is_ascii_digit() {
        end += 1;
    }
    end
}

/// Reads a number of at most `max_len` digits at `start`, returning its value and end.
fn number_at(chars: &[char], start: usize, max_len: usize) -> Option<(u32, usize)> {
    let end = digits_end(chars, start);
    if end == start || end - start > max_len {
        return None;
    }
    let text: String = chars[start..end].iter().collect();
    text.parse().ok().map(|value| (value, end))
}

fn is_month_day(month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Returns the end of a date starting at `start`, if one starts there.
fn date_at(chars: &[char], start: usize) -> Option<usize> {
    let (first, after_first) = number_at(chars, start, 4)?;
    let separator = chars.get(after_first).copied()?;

    if after_first - start == 4 {
        // Year, month and day.
        if !matches!(separator, '年' | '-' | '/' | '.') {
            return None;
        }
        let (month, after_month) = number_at(chars, after_first + 1, 2)?;
        if !matches!(chars.get(after_month), Some('月' | '-' | '/' | '.')) {
            return None;
        }
        let (day, after_day) = number_at(chars, after_month + 1, 2)?;
        if !is_month_day(month, day) {
            return None;
        }
        return Some(skip_day_suffix(chars, after_day));
    }

    if separator == '月' {
        let (day, after_day) = number_at(chars, after_first + 1, 2)?;
        return is_month_day(first, day).then(|| skip_day_suffix(chars, after_day));
    }
    if matches!(separator, '.' | '/') {
        let (day, after_day) = number_at(chars, after_first + 1, 2)?;
        let continues = chars
            .get(after_day)
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | '/'));
        return (is_month_day(first, day) && !continues).then_some(after_day);
    }
    None
}

fn skip_day_suffix(chars: &[char], index: usize) -> usize {
    match chars.get(index) {
        Some('日' | '号') => index + 1,
        _ => index,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(topic: &str) -> Option<TopicBundle> {
        find_bundled_trainings(topic)
    }

    #[test]
    fn one_training_on_two_subjects_is_not_bundled() {
        assert_eq!(bundle("课程思政与教学设计专题培训"), None);
        assert_eq!(bundle("师德师风建设和教学能力提升培训"), None);
        assert_eq!(bundle("参与式教学工作坊"), None);
        assert_eq!(bundle("培训需求调研与培训方案设计研讨会"), None);
    }

    #[test]
    fn two_named_trainings_are_bundled() {
        assert_eq!(
            bundle("人工智能讲座、课程思政培训"),
            Some(TopicBundle::Segments(vec![
                "人工智能讲座".to_owned(),
                "课程思政培训".to_owned()
            ]))
        );
        assert!(bundle("课程思政培训（第一期）及教学设计工作坊").is_some());
        assert!(bundle("教学沙龙；青年教师说课比赛").is_some());
    }

    #[test]
    fn two_dates_are_bundled() {
        let found = bundle("3月15日课程思政讲座 4月2日教学设计讲座");
        assert_eq!(
            found,
            Some(TopicBundle::Dates(vec![
                "3月15日".to_owned(),
                "4月2日".to_owned()
            ]))
        );
        assert!(bundle("2023-03-15智慧教学培训，2023-04-02混合式教学培训").is_some());
        assert!(bundle("3.15 雨课堂培训 3.22 学习通培训").is_some());
    }

    #[test]
    fn date_range_is_one_date() {
        assert_eq!(bundle("3月15日至3月17日新教师岗前培训"), None);
        assert_eq!(bundle("2023.7.10-2023.7.14 暑期研修"), None);
        assert_eq!(bundle("3月15日-17日教学能力提升培训"), None);
    }

    #[test]
    fn numbers_that_are_not_dates_are_ignored() {
        assert_eq!(bundle("教育4.0时代的教学改革讲座（2.0版）"), None);
        assert_eq!(bundle("2023年3月份青年教师培训"), None);
    }

    #[test]
    fn two_book_titles_are_bundled() {
        assert_eq!(
            bundle("《教学设计》《课堂管理》学习"),
            Some(TopicBundle::Titles(vec![
                "《教学设计》".to_owned(),
                "《课堂管理》".to_owned()
            ]))
        );
        assert_eq!(bundle("《高等教育法》专题学习"), None);
    }

    #[test]
    fn empty_and_odd_input_is_safe() {
        assert_eq!(bundle(""), None);
        assert_eq!(bundle("《"), None);
        assert_eq!(bundle("》《"), None);
        assert_eq!(bundle("12345678901234567890月1日"), None);
        assert_eq!(bundle("（）)"), None);
    }
}
