//! The teacher's claims (申报项目): the term's list with hours against the requirement,
//! the claim form, the claim page with its evidence files, and submission with the
//! checks. The JSON API in `api::claims` shares the write functions of [`service`].
//!
//! Teacher actions are for the claim's teacher only. Viewing a claim and its files is
//! for everyone `claim_access::can_view` admits, so the reviewers' pages link here.

mod detail;
pub mod evidence;
mod form;
pub mod input;
mod list;
pub mod service;
pub mod view;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use xueshi_core::{ClaimState, ClaimStatus, ReviewLevel, RoleKind};
use xueshi_store::claims::ClaimDetail;

use crate::access::{Access, Route};
use crate::claim_access::ClaimScope;

pub use list::{TeacherSummary, teacher_summary};

/// Teachers, who write claims.
pub const TEACHER: Access = Access::Roles(&[RoleKind::Teacher]);

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/claims", TEACHER, get(list::list)),
        Route::get("/claims/new", TEACHER, get(form::new_form)),
        Route::post("/claims", TEACHER, post(form::create)),
        Route::get("/claims/{id}", Access::SignedIn, get(detail::show)),
        Route::get("/claims/{id}/edit", TEACHER, get(form::edit_form)),
        Route::post("/claims/{id}", TEACHER, post(form::update)),
        Route::post("/claims/{id}/submit", TEACHER, post(detail::submit)),
        Route::post("/claims/{id}/withdraw", TEACHER, post(detail::withdraw)),
        Route::post("/claims/{id}/delete", TEACHER, post(detail::delete)),
        // The size limit is the configured one, which `put_stream` enforces per file
        // while streaming.
        Route::post(
            "/claims/{id}/evidence",
            TEACHER,
            post(detail::upload).layer(DefaultBodyLimit::disable()),
        ),
        Route::post("/evidence/{id}/delete", TEACHER, post(detail::delete_file)),
        Route::get("/evidence/{id}", Access::SignedIn, get(evidence::download)),
        Route::get(
            "/evidence/{id}/thumb",
            Access::SignedIn,
            get(evidence::thumbnail),
        ),
    ]
}

/// The Chinese messages of the claim pages and API that more than one place uses.
pub mod messages {
    pub const NOT_OWNER: &str = "只有申报人本人可以修改、提交或撤回这条申报。";
    pub const NO_UNIT: &str =
        "您还没有所属单位，暂不能申报。请联系教师发展中心管理员设置您的单位。";
    pub const TOKEN_TAKEN: &str =
        "该请求标识（Idempotency-Key）已用于其他申报，请换一个新的标识后重试。";
    pub const NOT_EDITABLE: &str =
        "该申报已提交审核，不能再修改。如需修改，请在审核开始前撤回，或等待审核人退回。";
    pub const CHANGED_ELSEWHERE: &str =
        "该申报已在其他页面修改或提交，请刷新页面查看最新内容后再操作。";
    pub const ONLY_DRAFTS_DELETED: &str = "只有草稿可以删除；已提交的申报请先撤回。";
    pub const CANNOT_DELETE: &str =
        "这条草稿已有审核记录（曾被退回），或已在其他页面修改，不能删除。请刷新页面后查看。";
    pub const FILES_LOCKED: &str =
        "该申报已提交审核，佐证材料不能再增删。如需修改，请在审核开始前撤回，或等待审核人退回。";
    pub const BROKEN_UPLOAD: &str = "上传的表单不完整或已损坏，请重新选择文件上传。";
    pub const KIND_MISSING: &str = "请选择材料类型，如结业证书或学习截图。";
    pub const NO_FILE: &str = "请选择要上传的文件，或用“拍照”直接拍摄。";
    pub const NO_TERM: &str = "系统中还没有学期，暂不能申报。请等待教师发展中心开放申报。";
}

/// Returns the status as the teacher reads it, naming who has a pending claim:
/// "待教研室审核", "待院（部）审核", "待学校审核".
pub fn status_text(status: ClaimStatus, level: Option<ReviewLevel>) -> String {
    match (status, level) {
        (ClaimStatus::Pending, Some(level)) => format!("待{}审核", level.label()),
        _ => status.label().to_owned(),
    }
}

/// Returns the [`status_text`] of a state.
pub fn state_text(state: ClaimState) -> String {
    status_text(state.status, state.level)
}

/// Returns the badge color class of a status.
pub fn status_badge(status: ClaimStatus) -> &'static str {
    match status {
        ClaimStatus::Draft => "",
        ClaimStatus::Pending => "blue",
        ClaimStatus::Returned => "amber",
        ClaimStatus::Accredited => "green",
        ClaimStatus::Rejected => "red",
    }
}

/// Returns the facts that decide who may see a claim.
pub fn scope_of(claim: &ClaimDetail) -> ClaimScope<'_> {
    ClaimScope {
        teacher_id: &claim.teacher_id,
        unit_id: &claim.unit_id,
        office_id: claim.office_id.as_deref(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_status_names_the_level() {
        assert_eq!(
            status_text(ClaimStatus::Pending, Some(ReviewLevel::Office)),
            "待教研室审核"
        );
        assert_eq!(
            status_text(ClaimStatus::Pending, Some(ReviewLevel::Unit)),
            "待院（部）审核"
        );
        assert_eq!(status_text(ClaimStatus::Draft, None), "草稿");
    }
}
