//! Report arithmetic: the per-unit table of the center's feedback notice, median delays,
//! the share of lax lower-level reviews and teachers' hours against a requirement.
//!
//! Everything is computed from exact counts: totals are sums of rows, so a report
//! reconciles by construction, and rates are rounded only for display.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use crate::claim::Outcome;
use crate::hours::Hours;
use crate::staff_id::StaffId;
use crate::unit::UnitKind;

/// Name of the row that sums every unit of kind `other`.
pub const OTHER_UNITS_ROW: &str = "其他单位";
/// Name of the total row.
pub const TOTAL_ROW: &str = "合计";

/// Finished claims of one unit, as the store groups them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitOutcomeCounts {
    pub unit_name: String,
    pub kind: UnitKind,
    /// The unit's position in the school's own lists, for ties.
    pub sort_order: i64,
    pub accredited: u64,
    pub rejected: u64,
}

/// One row of the per-unit table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitRow {
    pub unit: String,
    pub submitted: u64,
    pub passed: u64,
    pub rejected: u64,
    pub pass_rate_percent: u32,
}

impl UnitRow {
    fn new(unit: &str, passed: u64, rejected: u64) -> Self {
        let submitted = passed.saturating_add(rejected);
        Self {
            unit: unit.to_owned(),
            submitted,
            passed,
            rejected,
            pass_rate_percent: pass_rate_percent(passed, submitted),
        }
    }
}

/// The per-unit table: teaching units by pass rate, then one row for all other units
/// when they have finished claims, then the total.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitTable {
    pub rows: Vec<UnitRow>,
    /// The sum of `rows`, named 合计.
    pub total: UnitRow,
    /// Names of the units summed into the 其他单位 row, in their sort order.
    pub other_units: Vec<String>,
}

/// Computes a pass rate in whole percent, rounded half up from the exact counts:
/// 339 of 542 is 62.55 % and gives 63. Zero submitted gives 0, so an empty row shows
/// 0 % rather than no value.
pub fn pass_rate_percent(passed: u64, submitted: u64) -> u32 {
    if submitted == 0 {
        return 0;
    }
    let passed = u128::from(passed.min(submitted));
    let submitted = u128::from(submitted);
    let rounded = (passed * 200 + submitted) / (submitted * 2);
    u32::try_from(rounded).unwrap_or(100)
}

/// Compares two rows by exact pass rate, highest first, by cross-multiplying the counts.
fn by_pass_rate(a: &UnitRow, b: &UnitRow) -> Ordering {
    let a_rate = u128::from(a.passed) * u128::from(b.submitted);
    let b_rate = u128::from(b.passed) * u128::from(a.submitted);
    b_rate.cmp(&a_rate)
}

/// Builds the per-unit table from each unit's finished claims.
///
/// Teaching units with at least one finished claim get a row each, ordered by exact pass
/// rate (highest first), then by more claims submitted, then by sort order, then by
/// name. Units of kind `other` are summed into one 其他单位 row after them, present only
/// when it counts a claim. Every claim thus counts in exactly one row, and the total is
/// the sum of the rows.
pub fn unit_table(counts: &[UnitOutcomeCounts]) -> UnitTable {
    let mut teaching: Vec<(&UnitOutcomeCounts, UnitRow)> = counts
        .iter()
        .filter(|unit| unit.kind == UnitKind::Teaching)
        .map(|unit| {
            (
                unit,
                UnitRow::new(&unit.unit_name, unit.accredited, unit.rejected),
            )
        })
        .filter(|(_, row)| row.submitted > 0)
        .collect();
    teaching.sort_by(|(a_unit, a), (b_unit, b)| {
        by_pass_rate(a, b)
            .then_with(|| b.submitted.cmp(&a.submitted))
            .then_with(|| a_unit.sort_order.cmp(&b_unit.sort_order))
            .then_with(|| a.unit.cmp(&b.unit))
    });
    let mut rows: Vec<UnitRow> = teaching.into_iter().map(|(_, row)| row).collect();

    let mut others: Vec<&UnitOutcomeCounts> = counts
        .iter()
        .filter(|unit| unit.kind == UnitKind::Other)
        .filter(|unit| unit.accredited.saturating_add(unit.rejected) > 0)
        .collect();
    others.sort_by(|a, b| {
        a.sort_order
            .cmp(&b.sort_order)
            .then_with(|| a.unit_name.cmp(&b.unit_name))
    });
    let other_units: Vec<String> = others.iter().map(|unit| unit.unit_name.clone()).collect();
    if !others.is_empty() {
        let passed = others
            .iter()
            .fold(0u64, |sum, unit| sum.saturating_add(unit.accredited));
        let rejected = others
            .iter()
            .fold(0u64, |sum, unit| sum.saturating_add(unit.rejected));
        rows.push(UnitRow::new(OTHER_UNITS_ROW, passed, rejected));
    }

    let passed = rows
        .iter()
        .fold(0u64, |sum, row| sum.saturating_add(row.passed));
    let rejected = rows
        .iter()
        .fold(0u64, |sum, row| sum.saturating_add(row.rejected));
    UnitTable {
        total: UnitRow::new(TOTAL_ROW, passed, rejected),
        rows,
        other_units,
    }
}

/// Computes the median of whole-day delays, or `None` for no values.
///
/// With an even count the median is the mean of the two middle values rounded half away
/// from zero to a whole day, which is what a spreadsheet's `ROUND(MEDIAN(…), 0)` shows,
/// so the center can check the figure by hand.
pub fn median_days(values: &[i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        return Some(sorted[middle]);
    }
    let sum = i128::from(sorted[middle - 1]) + i128::from(sorted[middle]);
    let rounded = if sum >= 0 {
        (sum + 1) / 2
    } else {
        -((-sum + 1) / 2)
    };
    i64::try_from(rounded).ok()
}

/// A claim approved at a lower level (office or unit), with the group it is counted in
/// (a unit's or an office's name) and the school's final decision, if any yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowerApproval {
    pub group: String,
    /// `None` while school has not approved or rejected it; a return is not a decision.
    pub school_outcome: Option<Outcome>,
}

/// The share of one group's lower-level approvals that school then rejected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LaxReviewShare {
    pub group: String,
    /// Lower-level approvals that reached a school decision.
    pub decided_at_school: u64,
    /// Of those, the ones school rejected.
    pub rejected_at_school: u64,
    /// `rejected_at_school` over `decided_at_school`, rounded half up.
    pub percent: u32,
}

/// Computes, per group, the share of lower-level approvals that school rejected: a
/// high share means reviewers below school approve without checking.
///
/// Groups whose approvals have no school decision yet are left out. Groups are ordered
/// by exact share (highest first), then by more decisions, then by name.
pub fn lax_review_shares(approvals: &[LowerApproval]) -> Vec<LaxReviewShare> {
    let mut counts: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for approval in approvals {
        let Some(outcome) = approval.school_outcome else {
            continue;
        };
        let entry = counts.entry(approval.group.as_str()).or_default();
        entry.0 += 1;
        if outcome == Outcome::Rejected {
            entry.1 += 1;
        }
    }
    let counts: Vec<LowerApprovalCounts> = counts
        .into_iter()
        .map(|(group, (decided, rejected))| LowerApprovalCounts {
            group: group.to_owned(),
            decided_at_school: decided,
            rejected_at_school: rejected,
        })
        .collect();
    lax_review_shares_from_counts(&counts)
}

/// One group's lower-level approvals as a database query counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowerApprovalCounts {
    pub group: String,
    /// Lower-level approvals that reached a school decision.
    pub decided_at_school: u64,
    /// Of those, the ones school rejected.
    pub rejected_at_school: u64,
}

/// Computes the shares of [`lax_review_shares`] from counts already grouped, so a report
/// over many claims needs no row per approval.
///
/// Counts of the same group are added up, groups with no school decision are left out,
/// and the order is that of [`lax_review_shares`].
pub fn lax_review_shares_from_counts(counts: &[LowerApprovalCounts]) -> Vec<LaxReviewShare> {
    let mut sums: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for count in counts {
        let entry = sums.entry(count.group.as_str()).or_default();
        entry.0 = entry.0.saturating_add(count.decided_at_school);
        entry.1 = entry.1.saturating_add(count.rejected_at_school);
    }
    let mut shares: Vec<LaxReviewShare> = sums
        .into_iter()
        .filter(|(_, (decided, _))| *decided > 0)
        .map(|(group, (decided, rejected))| LaxReviewShare {
            group: group.to_owned(),
            decided_at_school: decided,
            rejected_at_school: rejected,
            percent: pass_rate_percent(rejected, decided),
        })
        .collect();
    shares.sort_by(|a, b| {
        let a_share = u128::from(a.rejected_at_school) * u128::from(b.decided_at_school);
        let b_share = u128::from(b.rejected_at_school) * u128::from(a.decided_at_school);
        b_share
            .cmp(&a_share)
            .then_with(|| b.decided_at_school.cmp(&a.decided_at_school))
            .then_with(|| a.group.cmp(&b.group))
    });
    shares
}

/// A teacher on the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeacherRef {
    pub staff_id: StaffId,
    pub name: String,
    pub unit: String,
}

/// Accredited hours of one claim, or of several claims already summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeacherHours {
    pub staff_id: StaffId,
    pub hours: Hours,
}

/// One teacher's accredited hours against the required number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TeacherTotal {
    pub staff_id: StaffId,
    pub name: String,
    pub unit: String,
    pub total: Hours,
    /// Hours still missing; zero when the requirement is met.
    pub shortfall: Hours,
}

/// Every roster teacher's total and the list of those below the requirement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HoursAgainstRequired {
    pub required: Hours,
    /// Every roster teacher, in roster order, including those with no hours.
    pub totals: Vec<TeacherTotal>,
    /// Teachers below the requirement, largest shortfall first, then by unit and staff ID.
    pub below_required: Vec<TeacherTotal>,
    /// Staff IDs with hours but not on the roster, so no hours go uncounted unseen.
    pub unknown_staff: Vec<StaffId>,
}

/// Sums each roster teacher's accredited hours and lists the teachers below `required`.
/// A staff ID listed twice on the roster counts once, at its first entry.
pub fn hours_against_required(
    teachers: &[TeacherRef],
    accredited: &[TeacherHours],
    required: Hours,
) -> HoursAgainstRequired {
    let mut sums: BTreeMap<&StaffId, Hours> = BTreeMap::new();
    for entry in accredited {
        let sum = sums.entry(&entry.staff_id).or_default();
        *sum = *sum + entry.hours;
    }

    let mut seen: BTreeSet<&StaffId> = BTreeSet::new();
    let mut totals = Vec::new();
    for teacher in teachers {
        if !seen.insert(&teacher.staff_id) {
            continue;
        }
        let total = sums.get(&teacher.staff_id).copied().unwrap_or_default();
        totals.push(TeacherTotal {
            staff_id: teacher.staff_id.clone(),
            name: teacher.name.clone(),
            unit: teacher.unit.clone(),
            total,
            shortfall: required.saturating_sub(total),
        });
    }

    let mut below_required: Vec<TeacherTotal> = totals
        .iter()
        .filter(|teacher| teacher.total < required)
        .cloned()
        .collect();
    below_required.sort_by(|a, b| {
        b.shortfall
            .cmp(&a.shortfall)
            .then_with(|| a.unit.cmp(&b.unit))
            .then_with(|| a.staff_id.cmp(&b.staff_id))
    });

    let unknown_staff: Vec<StaffId> = sums
        .keys()
        .filter(|staff_id| !seen.contains(*staff_id))
        .map(|staff_id| (*staff_id).clone())
        .collect();

    HoursAgainstRequired {
        required,
        totals,
        below_required,
        unknown_staff,
    }
}

#[cfg(test)]
mod tests;
