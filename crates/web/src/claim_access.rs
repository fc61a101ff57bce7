//! Who may see a claim and its evidence files: its teacher and the reviewers whose scope
//! contains it. Teachers never see another teacher's claims or files.

use xueshi_core::RoleKind;

use crate::auth::CurrentUser;

/// The facts about a claim that decide who may see it.
pub struct ClaimScope<'a> {
    pub teacher_id: &'a str,
    pub unit_id: &'a str,
    pub office_id: Option<&'a str>,
}

/// Returns whether `user` may see the claim: its teacher; an office director of its office;
/// a unit reviewer of its unit; a center administrator.
pub fn can_view(user: &CurrentUser, claim: &ClaimScope<'_>) -> bool {
    if user.person_id == claim.teacher_id || user.has(RoleKind::CenterAdmin) {
        return true;
    }
    if user
        .scopes(RoleKind::UnitReviewer)
        .iter()
        .any(|unit| unit == claim.unit_id)
    {
        return true;
    }
    claim.office_id.is_some_and(|office| {
        user.scopes(RoleKind::OfficeDirector)
            .iter()
            .any(|o| o == office)
    })
}

/// Returns whether `user` reviews claims of this scope (and is not the claim's teacher).
pub fn is_reviewer_of(user: &CurrentUser, claim: &ClaimScope<'_>) -> bool {
    user.person_id != claim.teacher_id && can_view(user, claim)
}
