//! The reviewers' section of the home page: the claims waiting at each of their levels
//! and the days left before the current term's review deadline.

use jiff::civil::Date;
use xueshi_core::TermCode;
use xueshi_store::claims::{self, QueueFilter};
use xueshi_store::{Conn, terms};

use super::{scope, view};
use crate::auth::CurrentUser;
use crate::error::AppResult;

/// The claims waiting at one level.
pub struct LevelCount {
    pub label: &'static str,
    pub waiting: i64,
    pub href: String,
}

/// The current term's review deadline.
pub struct Deadline {
    pub term: TermCode,
    pub date: Date,
    /// Negative once the deadline has passed.
    pub days_left: i64,
}

impl Deadline {
    pub fn passed(&self) -> bool {
        self.days_left < 0
    }

    pub fn days_overdue(&self) -> i64 {
        -self.days_left
    }
}

/// The content of the reviewers' section.
pub struct ReviewHome {
    pub levels: Vec<LevelCount>,
    pub deadline: Option<Deadline>,
}

/// Builds the section for a person who reviews at some level, or `None` for others.
/// It costs two queries per level and one for the term.
pub async fn summary(conn: &mut Conn, user: &CurrentUser) -> AppResult<Option<ReviewHome>> {
    let levels = scope::levels(user);
    if levels.is_empty() {
        return Ok(None);
    }
    let mut counts = Vec::new();
    for level in levels {
        let Some(level_scope) = scope::queue_scope(user, level) else {
            continue;
        };
        let mut filter = QueueFilter::waiting(level_scope, &user.person_id);
        filter.page_size = 1;
        counts.push(LevelCount {
            label: level.label(),
            waiting: claims::queue(conn, &filter).await?.total,
            href: format!("/reviews?level={}", level.as_str()),
        });
    }
    let today = view::today();
    let deadline = terms::current(conn, today).await?.map(|term| Deadline {
        term: term.code,
        date: term.review_deadline,
        days_left: view::days_until(today, term.review_deadline),
    });
    Ok(Some(ReviewHome {
        levels: counts,
        deadline,
    }))
}
