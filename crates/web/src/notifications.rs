//! A person's notifications page: claims returned, rejected or accredited, newest first,
//! with the reason and a link to the claim, and marking them read.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use xueshi_store::notifications::{self, Notification, kinds};

use crate::AppState;
use crate::access::{Access, Route};
use crate::auth::CurrentUser;
use crate::error::AppResult;
use crate::page::{FlashKind, Page, redirect_with_flash};
use crate::review::view;

const LIST_HREF: &str = "/notifications";

pub fn routes() -> Vec<Route> {
    vec![
        Route::get(LIST_HREF, Access::SignedIn, get(list)),
        Route::post("/notifications/read-all", Access::SignedIn, post(read_all)),
        Route::post("/notifications/{id}/read", Access::SignedIn, post(read_one)),
    ]
}

/// One notification as the page shows it.
pub struct NotificationView {
    pub id: String,
    pub kind_label: &'static str,
    pub badge: &'static str,
    pub message: String,
    pub at: String,
    pub unread: bool,
    pub claim_href: Option<String>,
}

impl NotificationView {
    fn of(notification: Notification) -> Self {
        let badge = match notification.kind.as_str() {
            kinds::CLAIM_ACCREDITED => "green",
            kinds::CLAIM_RETURNED => "amber",
            kinds::CLAIM_REJECTED => "red",
            _ => "blue",
        };
        Self {
            kind_label: view::notification_label(&notification.kind),
            badge,
            at: view::format_time(notification.created_at),
            unread: notification.read_at.is_none(),
            // Notifications go to the claim's teacher, who reads it on the claims page.
            claim_href: notification.claim_id.map(|id| format!("/claims/{id}")),
            message: notification.message,
            id: notification.id,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/list.html")]
struct ListPage {
    page: Page,
    items: Vec<NotificationView>,
    unread: usize,
}

async fn list(State(state): State<AppState>, page: Page, user: CurrentUser) -> AppResult<ListPage> {
    let mut conn = state.db.conn().await?;
    let items: Vec<NotificationView> = notifications::list(&mut conn, &user.person_id, false)
        .await?
        .into_iter()
        .map(NotificationView::of)
        .collect();
    Ok(ListPage {
        page: page.titled("通知"),
        unread: items.iter().filter(|item| item.unread).count(),
        items,
    })
}

/// Marks one of the person's notifications read. Someone else's notification is left
/// alone and reported like one that was read already.
async fn read_one(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let changed = notifications::mark_read(&mut conn, &user.person_id, &id).await?;
    Ok(if changed {
        redirect_with_flash(LIST_HREF, FlashKind::Success, "已标为已读。")
    } else {
        redirect_with_flash(
            LIST_HREF,
            FlashKind::Warning,
            "这条通知不存在或已是已读状态，未作更改。",
        )
    })
}

async fn read_all(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    let mut conn = state.db.conn().await?;
    let count = notifications::mark_all_read(&mut conn, &user.person_id).await?;
    Ok(if count > 0 {
        redirect_with_flash(
            LIST_HREF,
            FlashKind::Success,
            format!("已将 {count} 条通知标为已读。"),
        )
    } else {
        redirect_with_flash(LIST_HREF, FlashKind::Warning, "没有未读通知。")
    })
}
