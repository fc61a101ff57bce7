//! Claim submission with every check: the app's own check and submit functions on draft
//! claims of the generated data set, against a bare indexed lookup of the same teacher's
//! claims.

use std::collections::BTreeMap;
use std::time::Instant;

use xueshi_core::Severity;
use xueshi_core::checks::has_blocking;
use xueshi_store::Db;
use xueshi_store::audit::Actor;
use xueshi_store::claims;
use xueshi_web::claims::service::{Checked, check_and_submit, run_checks};

use crate::measure::Samples;

/// Latencies of the checks alone, of whole submissions, and of the baseline lookup.
pub struct SubmissionTimes {
    pub checks: Samples,
    pub submissions: Samples,
    pub baseline: Samples,
    /// Drafts whose checks found a blocking problem, so nothing was written.
    pub blocked: usize,
    /// Codes of the blocking findings with how often each occurred.
    pub blocking_codes: BTreeMap<&'static str, usize>,
}

/// Times the checks of every draft (read only), the bare lookup, and then the submission
/// of each draft in its own write transaction, committed as the app commits it.
pub async fn measure(
    db: &Db,
    drafts: &[String],
    checks: &xueshi_core::checks::CheckConfig,
) -> anyhow::Result<SubmissionTimes> {
    let mut times = SubmissionTimes {
        checks: Samples::default(),
        submissions: Samples::default(),
        baseline: Samples::default(),
        blocked: 0,
        blocking_codes: BTreeMap::new(),
    };
    let mut conn = db.conn().await?;
    for id in drafts {
        let claim = claims::get(&mut conn, id).await?;

        let started = Instant::now();
        let findings = run_checks(&mut conn, &claim, checks)
            .await
            .map_err(|error| anyhow::anyhow!("checks of claim {id} failed: {error:?}"))?;
        times.checks.push(started.elapsed());
        if has_blocking(&findings) {
            times.blocked += 1;
        }
        for finding in &findings {
            if finding.severity == Severity::Blocking {
                *times.blocking_codes.entry(finding.code).or_default() += 1;
            }
        }

        let started = Instant::now();
        let rows = sqlx::query("SELECT id, topic, start_date, end_date, activity_id, status FROM claims WHERE teacher_id = $1 AND term_code = $2 AND id <> $3")
            .bind(&claim.teacher_id)
            .bind(claim.term_code.to_string())
            .bind(&claim.id)
            .fetch_all(&mut *conn)
            .await?;
        times.baseline.push(started.elapsed());
        std::hint::black_box(rows);
    }
    drop(conn);

    for id in drafts {
        let started = Instant::now();
        let mut tx = db.begin_write().await?;
        let claim = claims::get(&mut tx, id).await?;
        let actor = Actor::person(&claim.teacher_id, Some("127.0.0.1".to_owned()));
        let checked = check_and_submit(&mut tx, &claim, &actor, checks)
            .await
            .map_err(|error| anyhow::anyhow!("submission of claim {id} failed: {error:?}"))?;
        match checked {
            Checked::Submitted { .. } => xueshi_store::commit(tx).await?,
            Checked::Blocked(_) | Checked::Raced => drop(tx),
        }
        times.submissions.push(started.elapsed());
    }
    Ok(times)
}
