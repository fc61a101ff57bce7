//! Reviewer scopes and levels. An office director reviews the office level of their
//! offices, a unit reviewer the unit level of their units, and a center administrator the
//! school level of every unit. One person may have several of these roles.

use xueshi_core::{ClaimStatus, ReviewLevel, RoleKind};
use xueshi_store::claims::{ClaimDetail, QueueScope};

use crate::access::Access;
use crate::auth::CurrentUser;
use crate::claim_access::{ClaimScope, is_reviewer_of};

/// The people who review at some level.
pub const REVIEWERS: Access = Access::Roles(&[
    RoleKind::OfficeDirector,
    RoleKind::UnitReviewer,
    RoleKind::CenterAdmin,
]);

/// Returns the levels at which `user` reviews, in review order.
pub fn levels(user: &CurrentUser) -> Vec<ReviewLevel> {
    ReviewLevel::ALL
        .into_iter()
        .filter(|level| queue_scope(user, *level).is_some())
        .collect()
}

/// Returns the claims `user` reviews at `level`, or `None` when they hold no role there.
pub fn queue_scope(user: &CurrentUser, level: ReviewLevel) -> Option<QueueScope> {
    match level {
        ReviewLevel::Office => {
            let offices = user.scopes(RoleKind::OfficeDirector);
            (!offices.is_empty()).then_some(QueueScope::Office(offices))
        }
        ReviewLevel::Unit => {
            let units = user.scopes(RoleKind::UnitReviewer);
            (!units.is_empty()).then_some(QueueScope::Unit(units))
        }
        ReviewLevel::School => user
            .has(RoleKind::CenterAdmin)
            .then_some(QueueScope::School),
    }
}

/// Returns the facts about a claim that decide who may see it.
pub fn claim_scope(claim: &ClaimDetail) -> ClaimScope<'_> {
    ClaimScope {
        teacher_id: &claim.teacher_id,
        unit_id: &claim.unit_id,
        office_id: claim.office_id.as_deref(),
    }
}

/// Returns whether `user` reviews the claim's office, unit or school and is not its
/// teacher.
pub fn reviews_claim(user: &CurrentUser, claim: &ClaimDetail) -> bool {
    is_reviewer_of(user, &claim_scope(claim))
}

/// Returns whether `user` has the role that decides at `level` for this claim's office
/// or unit. The claim's status is not looked at.
pub fn holds_level(user: &CurrentUser, claim: &ClaimDetail, level: ReviewLevel) -> bool {
    match level {
        ReviewLevel::Office => claim
            .office_id
            .as_ref()
            .is_some_and(|office| user.scopes(RoleKind::OfficeDirector).contains(office)),
        ReviewLevel::Unit => user.scopes(RoleKind::UnitReviewer).contains(&claim.unit_id),
        ReviewLevel::School => user.has(RoleKind::CenterAdmin),
    }
}

/// Returns the level at which `user` may decide the claim now: its current level, when
/// it is pending and `user` has that level's role for it and is not its teacher.
pub fn decision_level(user: &CurrentUser, claim: &ClaimDetail) -> Option<ReviewLevel> {
    if claim.teacher_id == user.person_id || claim.status != ClaimStatus::Pending {
        return None;
    }
    claim.level.filter(|level| holds_level(user, claim, *level))
}
