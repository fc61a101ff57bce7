//! Finished claims of a past term, kept in spreadsheets before the platform, inserted in
//! bulk with their school decision.
//!
//! Each row gets an import key: a hash of its term and normalized fields, followed by
//! how many identical rows came before it in the same input. Two identical rows of one
//! file therefore stay two claims, and importing the file again adds nothing, because
//! `claims.import_key` is unique.
//!
//! Imported claims have `source = 'history'`, one school-level decision without a
//! reviewer, and count in every report like reviewed claims. They are counted in the unit
//! their row names, which may differ from the teacher's unit today.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection, Row};
use xueshi_core::claim::Outcome;
use xueshi_core::report::UnitOutcomeCounts;
use xueshi_core::{HistoryRow, Hours, Role, RoleKind, StaffId, TermCode, UnitKind};

use crate::audit::{self, Actor, AuditEntry};
use crate::people::{self, PersonFields};
use crate::terms::{self, Term};
use crate::{Result, StoreError, categories, columns, new_id, now_ms, reasons, units};

/// Version tag of the import key's recipe; a change of recipe must change it, or
/// re-imports would add the rows again.
const KEY_VERSION: &str = "h1";

/// Computes the import key of every row, in input order: `h1:<hash>:<n>`, where the
/// hash covers the term and the row's normalized fields and `n` counts the identical
/// rows before it, from 1.
///
/// Normalized means as [`HistoryRow::parse`] returns them, with the unit and topic
/// compared like names (`xueshi_core::text::name_key`), so "财经学院\u{3000}" and
/// "财经学院" give one key. The person's name and the reason note are left out: the
/// staff ID identifies the person, and a note does not make a claim another claim.
pub fn import_keys(term: TermCode, rows: &[HistoryRow]) -> Vec<String> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    rows.iter()
        .map(|row| {
            let hash = row_hash(term, row);
            let count = seen.entry(hash.clone()).or_insert(0);
            *count += 1;
            format!("{KEY_VERSION}:{hash}:{count}")
        })
        .collect()
}

fn row_hash(term: TermCode, row: &HistoryRow) -> String {
    let fields = [
        term.to_string(),
        row.staff_id.to_string(),
        row.unit.key.clone(),
        row.category_code.to_string(),
        xueshi_core::text::name_key(&row.topic),
        row.start_date.to_string(),
        row.end_date.to_string(),
        row.claimed_hours.tenths().to_string(),
        row.accredited_hours.tenths().to_string(),
        outcome_name(row.outcome).to_owned(),
        row.reason_code.clone().unwrap_or_default(),
    ];
    let mut hasher = Sha256::new();
    for field in &fields {
        // The unit separator cannot occur in normalized text, so fields cannot run together.
        hasher.update(field.as_bytes());
        hasher.update([0x1f]);
    }
    hex::encode(&hasher.finalize()[..16])
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Accredited => "accredited",
        Outcome::Rejected => "rejected",
    }
}

/// Returns the term a past term's import creates when it is missing. Its submission
/// window is the term's calendar span (see [`TermCode::span`]), whose last day is also the
/// review deadline. It requires no hours, because the spreadsheet does not give them.
pub fn past_term(code: TermCode) -> Term {
    let (start, end) = code.span();
    Term {
        code,
        window_start: start,
        window_end: end,
        review_deadline: end,
        required_hours: Hours::ZERO,
    }
}

/// A person the import creates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewPerson {
    pub staff_id: String,
    pub name: String,
    /// The unit of the person's first row.
    pub unit: String,
}

/// A row whose name differs from the name on record (or from an earlier row) for the
/// same staff ID. The claim is still imported under the staff ID.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NameMismatch {
    /// Index of the row in the input.
    pub index: usize,
    pub staff_id: String,
    pub row_name: String,
    pub known_name: String,
}

/// The plan of an import: the rows that become claims, and the people and units it
/// creates.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct HistoryPlan {
    pub term_exists: bool,
    /// Indexes of the rows that become claims.
    pub new_rows: Vec<usize>,
    /// Indexes of the rows imported before (their import key exists).
    pub duplicate_rows: Vec<usize>,
    pub new_people: Vec<NewPerson>,
    /// Names of the teaching units created, in the order of their first row.
    pub new_units: Vec<String>,
    /// Names of the units created as other (non-teaching) units, judged by
    /// [`UnitKind::guess_from_name`].
    pub new_other_units: Vec<String>,
    pub name_mismatches: Vec<NameMismatch>,
}

impl HistoryPlan {
    /// Counts the new claims by outcome: (accredited, rejected).
    pub fn outcome_counts(&self, rows: &[HistoryRow]) -> (usize, usize) {
        let accredited = self
            .new_rows
            .iter()
            .filter(|index| rows[**index].outcome == Outcome::Accredited)
            .count();
        (accredited, self.new_rows.len() - accredited)
    }
}

/// The people and units on record, for planning.
struct Known {
    /// Staff ID → (person id, name).
    people: HashMap<String, (String, String)>,
    /// Unit name key → unit id.
    units: HashMap<String, String>,
}

async fn load_known(conn: &mut AnyConnection) -> Result<Known> {
    let people_rows = sqlx::query("SELECT id, staff_id, name FROM people")
        .fetch_all(&mut *conn)
        .await?;
    let mut people = HashMap::with_capacity(people_rows.len());
    for row in &people_rows {
        people.insert(
            row.try_get::<String, _>("staff_id")?,
            (row.try_get("id")?, row.try_get("name")?),
        );
    }
    let unit_rows = sqlx::query("SELECT id, name_key FROM units")
        .fetch_all(&mut *conn)
        .await?;
    let mut units = HashMap::with_capacity(unit_rows.len());
    for row in &unit_rows {
        units.insert(row.try_get("name_key")?, row.try_get("id")?);
    }
    Ok(Known { people, units })
}

async fn existing_keys(conn: &mut AnyConnection, term: TermCode) -> Result<HashSet<String>> {
    let rows = sqlx::query(
        "SELECT import_key FROM claims WHERE term_code = $1 AND import_key IS NOT NULL",
    )
    .bind(term.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<String, _>("import_key")?))
        .collect()
}

async fn term_exists(conn: &mut AnyConnection, term: TermCode) -> Result<bool> {
    match terms::get(conn, term).await {
        Ok(_) => Ok(true),
        Err(StoreError::NotFound) => Ok(false),
        Err(error) => Err(error),
    }
}

/// Plans an import without writing: which rows are new, which were imported before, and
/// which people and units the import would create.
pub async fn plan(
    conn: &mut AnyConnection,
    term: TermCode,
    rows: &[HistoryRow],
) -> Result<HistoryPlan> {
    let known = load_known(conn).await?;
    let existing = existing_keys(conn, term).await?;
    let mut plan = HistoryPlan {
        term_exists: term_exists(conn, term).await?,
        ..HistoryPlan::default()
    };

    let mut planned_units: HashSet<String> = HashSet::new();
    let mut first_names: HashMap<String, String> = HashMap::new();
    for (index, (row, key)) in rows.iter().zip(import_keys(term, rows)).enumerate() {
        if existing.contains(&key) {
            plan.duplicate_rows.push(index);
            continue;
        }
        plan.new_rows.push(index);

        if !known.units.contains_key(&row.unit.key) && planned_units.insert(row.unit.key.clone()) {
            match UnitKind::guess_from_name(&row.unit.display) {
                UnitKind::Teaching => plan.new_units.push(row.unit.display.clone()),
                UnitKind::Other => plan.new_other_units.push(row.unit.display.clone()),
            }
        }
        let staff_id = row.staff_id.as_str();
        let known_name = match known.people.get(staff_id) {
            Some((_, name)) => name.clone(),
            None => first_names
                .entry(staff_id.to_owned())
                .or_insert_with(|| {
                    plan.new_people.push(NewPerson {
                        staff_id: staff_id.to_owned(),
                        name: row.name.clone(),
                        unit: row.unit.display.clone(),
                    });
                    row.name.clone()
                })
                .clone(),
        };
        if known_name != row.name {
            plan.name_mismatches.push(NameMismatch {
                index,
                staff_id: staff_id.to_owned(),
                row_name: row.name.clone(),
                known_name,
            });
        }
    }
    Ok(plan)
}

/// Inserts the new rows of a past term as finished claims, each with its school
/// decision, in one transaction: every new row or none.
///
/// A missing term is created from `term` with its categories (see [`past_term`] for
/// defaults). Unknown units are created as teaching units. Unknown people are created
/// from the row's staff ID, name and unit, without a password and with the teacher role.
/// Existing people and units are left as they are, so a unit the center set to `other`
/// stays `other`. Rows imported before are skipped.
///
/// On SQLite, pass a transaction from `Db::begin_write`, because a deferred transaction
/// that reads first cannot always take the write lock later.
///
/// Returns the plan that was carried out, computed inside the transaction.
pub async fn insert(
    conn: &mut AnyConnection,
    term: &Term,
    rows: &[HistoryRow],
    actor: &Actor,
) -> Result<HistoryPlan> {
    let mut tx = conn.begin().await?;
    let plan = plan(&mut tx, term.code, rows).await?;
    if plan.new_rows.is_empty() {
        tx.commit().await?;
        return Ok(plan);
    }

    if !plan.term_exists {
        terms::create(&mut tx, term).await?;
    }
    // Decisions reference rejection reasons; a database that has not seeded them yet
    // gets the defaults, and reasons the center edited are left as they are.
    reasons::seed_defaults(&mut tx).await?;
    let category_ids: HashMap<u8, String> = categories::list_for_term(&mut tx, term.code)
        .await?
        .into_iter()
        .map(|category| (category.code, category.id))
        .collect();

    let known = load_known(&mut tx).await?;
    let mut unit_ids = known.units;
    let mut person_ids: HashMap<String, String> = known
        .people
        .into_iter()
        .map(|(staff_id, (id, _))| (staff_id, id))
        .collect();
    let keys = import_keys(term.code, rows);
    let now = now_ms();

    for &index in &plan.new_rows {
        let row = &rows[index];
        let unit_id = match unit_ids.get(&row.unit.key) {
            Some(id) => id.clone(),
            None => {
                let id = create_unit(&mut tx, row, actor).await?;
                unit_ids.insert(row.unit.key.clone(), id.clone());
                id
            }
        };
        let teacher_id = match person_ids.get(row.staff_id.as_str()) {
            Some(id) => id.clone(),
            None => {
                let id = create_person(&mut tx, &row.staff_id, &row.name, &unit_id, actor).await?;
                person_ids.insert(row.staff_id.to_string(), id.clone());
                id
            }
        };
        let category_id = category_ids.get(&row.category_code).ok_or_else(|| {
            StoreError::Other(anyhow::anyhow!(
                "term {} has no category with code {}",
                term.code,
                row.category_code
            ))
        })?;
        let claim = PastClaim {
            term: term.code,
            category_id,
            teacher_id: &teacher_id,
            unit_id: &unit_id,
            import_key: &keys[index],
            row,
            at: now,
        };
        insert_claim(&mut tx, &claim, actor).await?;
    }

    let (accredited, rejected) = plan.outcome_counts(rows);
    let summary = serde_json::json!({
        "term": term.code.to_string(), "created": plan.new_rows.len(), "accredited": accredited,
        "rejected": rejected, "duplicates_skipped": plan.duplicate_rows.len(),
        "people_created": plan.new_people.len(), "units_created": plan.new_units,
        "other_units_created": plan.new_other_units,
    });
    let entry = AuditEntry {
        entity: "import",
        entity_id: "history",
        action: "import_history",
        after: Some(summary),
        ..Default::default()
    };
    audit::append(&mut tx, actor, &entry).await?;
    tx.commit().await?;
    tracing::info!(
        term = %term.code,
        created = plan.new_rows.len(),
        duplicates = plan.duplicate_rows.len(),
        "history imported"
    );
    Ok(plan)
}

async fn create_unit(conn: &mut AnyConnection, row: &HistoryRow, actor: &Actor) -> Result<String> {
    let kind = UnitKind::guess_from_name(&row.unit.display);
    let id = units::create(conn, &row.unit, kind).await?;
    let after = serde_json::json!({ "name": row.unit.display, "kind": kind.as_str() });
    let entry = AuditEntry {
        entity: "unit",
        entity_id: &id,
        action: "import_history_create",
        after: Some(after),
        ..Default::default()
    };
    audit::append(conn, actor, &entry).await?;
    Ok(id)
}

async fn create_person(
    conn: &mut AnyConnection,
    staff_id: &StaffId,
    name: &str,
    unit_id: &str,
    actor: &Actor,
) -> Result<String> {
    let fields = PersonFields {
        name: name.to_owned(),
        unit_id: Some(unit_id.to_owned()),
        office_id: None,
        title: String::new(),
    };
    let id = people::create(conn, staff_id, &fields).await?;
    people::grant(conn, &id, &Role::unscoped(RoleKind::Teacher)).await?;
    let after = serde_json::json!({ "staff_id": staff_id.as_str(), "name": name, "unit_id": unit_id, "roles": ["teacher"] });
    let entry = AuditEntry {
        entity: "person",
        entity_id: &id,
        action: "import_history_create",
        after: Some(after),
        ..Default::default()
    };
    audit::append(conn, actor, &entry).await?;
    Ok(id)
}

/// One row with the ids it resolved to.
struct PastClaim<'a> {
    term: TermCode,
    category_id: &'a str,
    teacher_id: &'a str,
    unit_id: &'a str,
    import_key: &'a str,
    row: &'a HistoryRow,
    /// When the import ran: the claim's creation, submission and decision time.
    at: i64,
}

/// Inserts one finished claim, its school decision and its audit row.
async fn insert_claim(
    conn: &mut AnyConnection,
    claim: &PastClaim<'_>,
    actor: &Actor,
) -> Result<()> {
    let row = claim.row;
    let id = new_id();
    let accredited_hours =
        (row.outcome == Outcome::Accredited).then_some(row.accredited_hours.tenths());
    let reason_code = match row.outcome {
        Outcome::Accredited => None,
        Outcome::Rejected => row.reason_code.as_deref(),
    };
    sqlx::query(
        "INSERT INTO claims (id, term_code, category_id, teacher_id, unit_id, topic, start_date, end_date, mode, \
         claimed_hours, accredited_hours, status, reason_code, source, import_key, round, version, \
         created_at, updated_at, submitted_at, decided_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'offline', $9, $10, $11, $12, 'history', $13, 1, 0, $14, $14, $14, $14)",
    )
    .bind(&id)
    .bind(claim.term.to_string())
    .bind(claim.category_id)
    .bind(claim.teacher_id)
    .bind(claim.unit_id)
    .bind(&row.topic)
    .bind(row.start_date.to_string())
    .bind(row.end_date.to_string())
    .bind(row.claimed_hours.tenths())
    .bind(accredited_hours)
    .bind(row.outcome.status().as_str())
    .bind(reason_code)
    .bind(claim.import_key)
    .bind(claim.at)
    .execute(&mut *conn)
    .await?;

    let decision = match row.outcome {
        Outcome::Accredited => "approve",
        Outcome::Rejected => "reject",
    };
    sqlx::query(
        "INSERT INTO decisions (id, claim_id, round, level, decision, reviewer_id, accredited_hours, reason_code, \
         comment, decided_at) VALUES ($1, $2, 1, 'school', $3, NULL, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(&id)
    .bind(decision)
    .bind(accredited_hours)
    .bind(reason_code)
    .bind(row.reason_note.clone().unwrap_or_default())
    .bind(claim.at)
    .execute(&mut *conn)
    .await?;

    let after = serde_json::json!({
        "term": claim.term.to_string(), "status": row.outcome.status().as_str(),
        "accredited_hours": accredited_hours, "import_key": claim.import_key,
    });
    let entry = AuditEntry {
        entity: "claim",
        entity_id: &id,
        action: "import_history",
        after: Some(after),
        reason_code,
        comment: row.reason_note.as_deref(),
        ..Default::default()
    };
    audit::append(conn, actor, &entry).await?;
    Ok(())
}

/// Counts a term's finished claims (accredited or rejected, from any source) per unit,
/// in the form `xueshi_core::report::unit_table` takes, so an import can be checked
/// against the table it should give. Units without a finished claim are left out.
pub async fn finished_counts_by_unit(
    conn: &mut AnyConnection,
    term: TermCode,
) -> Result<Vec<UnitOutcomeCounts>> {
    let rows = sqlx::query(
        "SELECT u.name, u.kind, u.sort_order, \
         CAST(SUM(CASE WHEN c.status = 'accredited' THEN 1 ELSE 0 END) AS BIGINT) AS accredited, \
         CAST(SUM(CASE WHEN c.status = 'rejected' THEN 1 ELSE 0 END) AS BIGINT) AS rejected \
         FROM claims c JOIN units u ON u.id = c.unit_id \
         WHERE c.term_code = $1 AND c.status IN ('accredited', 'rejected') \
         GROUP BY u.id, u.name, u.kind, u.sort_order ORDER BY u.sort_order, u.name",
    )
    .bind(term.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let count = |column: &str| -> Result<u64> {
                let value = columns::int(row, column)?;
                u64::try_from(value)
                    .map_err(|error| columns::corrupt(column, &value.to_string(), error))
            };
            Ok(UnitOutcomeCounts {
                unit_name: columns::text(row, "name")?,
                kind: columns::parsed(row, "kind")?,
                sort_order: columns::int(row, "sort_order")?,
                accredited: count("accredited")?,
                rejected: count("rejected")?,
            })
        })
        .collect()
}
