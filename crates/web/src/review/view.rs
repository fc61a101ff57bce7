//! Display helpers the review pages share: times in the school's time zone, waiting days,
//! and the Chinese labels of flags, audit actions and notification kinds.

use jiff::Timestamp;
use jiff::civil::Date;
use xueshi_core::date::{school_date, school_time_zone};
use xueshi_core::{ClaimState, ClaimStatus, ReviewLevel};
use xueshi_store::notifications::kinds;

/// The flag codes the checks leave on claims, with the label reviewers see.
pub const FLAG_LABELS: [(&str, &str); 11] = [
    ("identical_evidence", "佐证文件与其他申报相同"),
    ("similar_photo", "照片与其他教师的申报相似"),
    ("similar_topic", "与本人另一条申报主题相近"),
    ("certificate_before_training", "证书日期早于培训"),
    ("evidence_dated_before_training", "佐证拍摄日期早于培训"),
    ("topic_bundles_trainings", "一条申报包含多项培训"),
    ("topic_out_of_scope", "主题可能不在类别范围内"),
    ("activity_category_mismatch", "类别与台账活动不符"),
    ("dates_outside_activity", "日期与台账活动不符"),
    ("activity_rejected_before", "同一活动的申报曾未通过"),
    ("dates_outside_term", "培训日期不在本学期内"),
];

/// Returns the label of a flag code, or the code itself for a code this list lacks.
pub fn flag_label(code: &str) -> &str {
    FLAG_LABELS
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, label)| *label)
        .unwrap_or(code)
}

/// Returns today's date in the school's time zone.
pub fn today() -> Date {
    school_date(Timestamp::now())
}

/// Returns the school-time date of a time in milliseconds since the Unix epoch.
pub fn date_of(ms: i64) -> Option<Date> {
    Timestamp::from_millisecond(ms).ok().map(school_date)
}

/// Formats a time in milliseconds as "2025-10-13 14:05" in the school's time zone.
pub fn format_time(ms: i64) -> String {
    match Timestamp::from_millisecond(ms) {
        Ok(at) => at
            .to_zoned_datetime(school_time_zone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => String::new(),
    }
}

/// Returns the whole days from the date of `since_ms` to `today`, zero when unknown or
/// in the future.
pub fn days_since(since_ms: Option<i64>, today: Date) -> i64 {
    let Some(start) = since_ms.and_then(date_of) else {
        return 0;
    };
    start
        .until(today)
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(0)
        .max(0)
}

/// Returns the days from `today` to `deadline`: negative once the deadline has passed.
pub fn days_until(today: Date, deadline: Date) -> i64 {
    today
        .until(deadline)
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(0)
}

/// Returns the label of a claim state, naming the level while it is pending.
pub fn state_label(status: ClaimStatus, level: Option<ReviewLevel>) -> String {
    ClaimState { status, level }.label()
}

/// Returns the label of a claim state written in an audit row's JSON, e.g.
/// `{"status":"pending","level":"unit",…}`.
pub fn audit_state_label(json: Option<&str>) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json?).ok()?;
    let status: ClaimStatus = value.get("status")?.as_str()?.parse().ok()?;
    let level = value
        .get("level")
        .and_then(|level| level.as_str())
        .and_then(|level| level.parse::<ReviewLevel>().ok());
    Some(state_label(status, level))
}

/// Returns the label of an action in a claim's audit log.
pub fn audit_action_label(action: &str) -> &str {
    match action {
        "submit" => "提交",
        "withdraw" => "撤回",
        "approve" => "通过",
        "return" => "退回修改",
        "reject" => "未通过",
        "delete" => "删除草稿",
        other => other,
    }
}

/// Returns the label of a notification kind.
pub fn notification_label(kind: &str) -> &'static str {
    match kind {
        kinds::CLAIM_RETURNED => "退回修改",
        kinds::CLAIM_REJECTED => "未通过",
        kinds::CLAIM_ACCREDITED => "已认定",
        _ => "通知",
    }
}

/// Returns the badge color of a claim status.
pub fn status_badge(status: ClaimStatus) -> &'static str {
    match status {
        ClaimStatus::Draft => "",
        ClaimStatus::Pending => "blue",
        ClaimStatus::Returned => "amber",
        ClaimStatus::Accredited => "green",
        ClaimStatus::Rejected => "red",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn time_is_shown_in_school_zone() {
        // 2025-10-13 06:05 UTC is 14:05 in Asia/Shanghai.
        let ms = date(2025, 10, 13)
            .at(6, 5, 0, 0)
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_millisecond();
        assert_eq!(format_time(ms), "2025-10-13 14:05");
    }

    #[test]
    fn waiting_days_count_calendar_days() {
        let ms = date(2025, 10, 13)
            .at(12, 0, 0, 0)
            .to_zoned_datetime(school_time_zone())
            .unwrap()
            .timestamp()
            .as_millisecond();
        assert_eq!(days_since(Some(ms), date(2025, 10, 20)), 7);
        assert_eq!(days_since(Some(ms), date(2025, 10, 1)), 0);
        assert_eq!(days_since(None, date(2025, 10, 20)), 0);
    }

    #[test]
    fn days_until_goes_negative() {
        assert_eq!(days_until(date(2026, 1, 1), date(2026, 1, 31)), 30);
        assert_eq!(days_until(date(2026, 2, 2), date(2026, 1, 31)), -2);
    }

    #[test]
    fn audit_state_names_level() {
        let json = r#"{"status":"pending","level":"unit","version":2,"round":1}"#;
        assert_eq!(audit_state_label(Some(json)).unwrap(), "审核中（院（部））");
        assert_eq!(audit_state_label(Some("not json")), None);
        assert_eq!(audit_state_label(None), None);
    }

    #[test]
    fn unknown_flag_shows_code() {
        assert_eq!(flag_label("identical_evidence"), "佐证文件与其他申报相同");
        assert_eq!(flag_label("new_check"), "new_check");
    }
}
