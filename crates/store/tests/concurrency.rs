//! Two reviewers deciding one claim at the same moment, on both backends.

mod common;

use std::sync::Arc;

use common::{approve, count_where, create, draft, grant, person, reject, school, submit};
use tokio::sync::Barrier;
use xueshi_core::claim::DecisionInput;
use xueshi_core::reason::codes;
use xueshi_core::{ClaimState, ClaimStatus, ReviewLevel, RoleKind};
use xueshi_store::audit::Actor;
use xueshi_store::claims::{self, TransitionFailure};
use xueshi_store::testing::TestDb;
use xueshi_store::{Db, StoreError, db_test};

const PAIRS: usize = 50;

/// Decides at the office level in a write transaction of its own connection, once the
/// other task is ready too.
async fn decide(
    db: Db,
    barrier: Arc<Barrier>,
    claim_id: String,
    version: i64,
    reviewer: String,
    decision: DecisionInput,
) -> Result<ClaimState, TransitionFailure> {
    let level = ReviewLevel::Office;
    barrier.wait().await;
    let mut tx = db.begin_write().await.map_err(TransitionFailure::Store)?;
    let actor = Actor::person(&reviewer, None);
    let state = claims::transition(
        &mut tx,
        &claim_id,
        version,
        decision.action(level),
        &actor,
        Some(&decision),
    )
    .await?;
    xueshi_store::commit(tx).await?;
    Ok(state)
}

async fn simultaneous_decisions_one_wins(test_db: &TestDb) {
    let school = school(test_db).await;
    let mut conn = test_db.db.conn().await.unwrap();
    let deputy = person(
        &mut conn,
        "2003",
        "钱副主任",
        &school.unit,
        Some(&school.office),
    )
    .await;
    grant(
        &mut conn,
        &deputy,
        RoleKind::OfficeDirector,
        Some(&school.office),
    )
    .await;
    drop(conn);

    let mut approvals = 0;
    for pair in 0..PAIRS {
        let id = create(
            test_db,
            &school.teacher,
            &draft(&school, &format!("第{pair}期专题培训")),
        )
        .await;
        submit(test_db, &id, &school.teacher).await;
        let mut conn = test_db.db.conn().await.unwrap();
        let version = claims::get(&mut conn, &id).await.unwrap().version;
        drop(conn);

        let barrier = Arc::new(Barrier::new(2));
        let approving = tokio::spawn(decide(
            test_db.db.clone(),
            barrier.clone(),
            id.clone(),
            version,
            school.director.clone(),
            approve(12),
        ));
        let rejecting = tokio::spawn(decide(
            test_db.db.clone(),
            barrier,
            id.clone(),
            version,
            deputy.clone(),
            reject(codes::INSUFFICIENT_EVIDENCE, ""),
        ));
        let results = [approving.await.unwrap(), rejecting.await.unwrap()];

        let winners = results.iter().filter(|result| result.is_ok()).count();
        assert_eq!(winners, 1, "pair {pair}: {results:?}");
        let loser = results.iter().find(|result| result.is_err()).unwrap();
        assert!(
            matches!(loser, Err(TransitionFailure::Store(StoreError::Conflict))),
            "pair {pair}: {loser:?}"
        );
        if results[0].is_ok() {
            approvals += 1;
        }

        assert_eq!(
            count_where(test_db, "decisions", "claim_id", &id).await,
            1,
            "pair {pair}"
        );
        // One audit row for the submission and one for the decision.
        assert_eq!(
            count_where(test_db, "audit_log", "entity_id", &id).await,
            2,
            "pair {pair}"
        );
        let mut conn = test_db.db.conn().await.unwrap();
        let claim = claims::get(&mut conn, &id).await.unwrap();
        assert_eq!(claim.version, version + 1, "pair {pair}");
        let history = claims::history(&mut conn, &id).await.unwrap();
        let expected = if results[0].is_ok() {
            ClaimState::pending(ReviewLevel::Unit)
        } else {
            ClaimState {
                status: ClaimStatus::Rejected,
                level: None,
            }
        };
        assert_eq!(claim.state(), expected, "pair {pair}: {history:?}");
    }
    // Which task wins varies, so the split is printed to show that both paths ran.
    eprintln!(
        "{:?}: approve won {approvals} of {PAIRS} pairs",
        test_db.backend()
    );
}
db_test!(simultaneous_decisions_one_wins);
