//! The teachers' hours page: each active teacher's hours in the term and in its school
//! year against the required hours, with the teachers below them.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use xueshi_core::report::{
    HoursAgainstRequired, TeacherHours, TeacherRef, TeacherTotal, hours_against_required,
};
use xueshi_core::{Hours, StaffId, TermCode};
use xueshi_store::reports::{self, RosterTeacher, TeacherHoursRow};

use super::picker::{Picker, ReportQuery, scope_for};
use super::term::select_term;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::extract::Query;
use crate::page::Page;

/// The most teachers a list below the requirement shows; a unit filter narrows it.
// NOTE: a chosen bound that keeps the page small; it is not tuned on real rosters.
const MAX_LISTED: usize = 1000;

/// One teacher below the requirement, as the page shows them.
pub struct ShortfallView {
    pub staff_id: String,
    pub name: String,
    pub unit: String,
    pub accredited: Hours,
    pub school_credited: Hours,
    pub total: Hours,
    pub shortfall: Hours,
}

/// The figures of one period (the term or the school year).
pub struct PeriodView {
    pub label: String,
    pub required: Hours,
    pub teachers: usize,
    pub met: usize,
    pub below: usize,
    /// The first [`MAX_LISTED`] teachers below the requirement, largest shortfall first.
    pub listed: Vec<ShortfallView>,
    /// Teachers with hours who are not active teachers now (left, or without the role).
    pub not_on_roster: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/hours.html")]
pub struct HoursPage {
    page: Page,
    picker: Picker,
    /// The term, then its school year.
    periods: Vec<PeriodView>,
    max_listed: usize,
}

/// Shows every active teacher's hours against the required hours, for the term and for
/// its school year.
pub async fn hours(
    State(state): State<AppState>,
    page: Page,
    user: CurrentUser,
    Query(query): Query<ReportQuery>,
) -> AppResult<HoursPage> {
    let mut conn = state.db.conn().await?;
    let selection = select_term(&mut conn, query.term.as_deref()).await?;
    let (scope, units) = scope_for(&mut conn, &user, query.unit.as_deref()).await?;
    let picker = Picker::new(&user, "/reports/hours", &selection, &scope, &units);
    let term = &selection.term;

    // The school year's terms that exist, and the hours they require together.
    let year_terms: Vec<&xueshi_store::terms::Term> = selection
        .all
        .iter()
        .filter(|other| other.code.first_year() == term.code.first_year())
        .collect();
    let year_codes: Vec<TermCode> = year_terms.iter().map(|other| other.code).collect();
    let year_required: Hours = year_terms.iter().map(|other| other.required_hours).sum();

    let roster = reports::roster_teachers(&mut conn, scope.unit_id()).await?;
    let term_hours = reports::teacher_hours(&mut conn, &[term.code], scope.unit_id()).await?;
    let year_hours = reports::teacher_hours(&mut conn, &year_codes, scope.unit_id()).await?;

    let term_view = period(term.code.label(), &roster, &term_hours, term.required_hours);
    let year_label = format!(
        "{}学年（{}）",
        term.code.school_year(),
        year_codes
            .iter()
            .map(|code| code.label())
            .collect::<Vec<_>>()
            .join("、")
    );
    let year_view = period(year_label, &roster, &year_hours, year_required);
    Ok(HoursPage {
        page: page.titled("教师学时达标情况"),
        picker,
        periods: vec![term_view, year_view],
        max_listed: MAX_LISTED,
    })
}

/// Compares the roster's hours with `required` through the core rule and keeps the
/// figures the page shows.
fn period(
    label: String,
    roster: &[RosterTeacher],
    hours: &[TeacherHoursRow],
    required: Hours,
) -> PeriodView {
    let teachers: Vec<TeacherRef> = roster
        .iter()
        .map(|teacher| TeacherRef {
            staff_id: teacher.staff_id.clone(),
            name: teacher.name.clone(),
            unit: teacher.unit_name.clone().unwrap_or_default(),
        })
        .collect();
    let entries: Vec<TeacherHours> = hours
        .iter()
        .flat_map(|row| {
            [
                TeacherHours {
                    staff_id: row.staff_id.clone(),
                    hours: row.accredited,
                },
                TeacherHours {
                    staff_id: row.staff_id.clone(),
                    hours: row.school_credited,
                },
            ]
        })
        .collect();
    let result: HoursAgainstRequired = hours_against_required(&teachers, &entries, required);

    let by_staff: BTreeMap<&StaffId, &TeacherHoursRow> =
        hours.iter().map(|row| (&row.staff_id, row)).collect();
    let view = |teacher: &TeacherTotal| {
        let row = by_staff.get(&teacher.staff_id);
        ShortfallView {
            staff_id: teacher.staff_id.to_string(),
            name: teacher.name.clone(),
            unit: teacher.unit.clone(),
            accredited: row.map(|row| row.accredited).unwrap_or_default(),
            school_credited: row.map(|row| row.school_credited).unwrap_or_default(),
            total: teacher.total,
            shortfall: teacher.shortfall,
        }
    };
    PeriodView {
        label,
        required,
        teachers: result.totals.len(),
        met: result.totals.len() - result.below_required.len(),
        below: result.below_required.len(),
        listed: result
            .below_required
            .iter()
            .take(MAX_LISTED)
            .map(view)
            .collect(),
        not_on_roster: result.unknown_staff.len(),
    }
}
