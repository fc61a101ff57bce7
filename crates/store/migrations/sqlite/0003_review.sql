-- Review decisions, rejection reasons, overturns and notifications.

CREATE TABLE rejection_reasons (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    sort_order BIGINT NOT NULL,
    active SMALLINT NOT NULL DEFAULT 1
);

-- One row per decision, never changed afterwards.
CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES claims (id),
    round BIGINT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('office', 'unit', 'school')),
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'return', 'reject')),
    -- NULL for decisions imported from a past term's spreadsheet.
    reviewer_id TEXT REFERENCES people (id),
    accredited_hours BIGINT,
    reason_code TEXT REFERENCES rejection_reasons (code),
    comment TEXT NOT NULL DEFAULT '',
    decided_at BIGINT NOT NULL
);
CREATE INDEX decisions_claim ON decisions (claim_id, decided_at);
CREATE INDEX decisions_reviewer ON decisions (reviewer_id);

-- A school-level rejection of a claim that a lower level approved in the same round:
-- counted against that approval in the lax-review report.
CREATE TABLE overturns (
    school_decision_id TEXT NOT NULL REFERENCES decisions (id),
    approval_decision_id TEXT NOT NULL REFERENCES decisions (id),
    PRIMARY KEY (school_decision_id, approval_decision_id)
);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    claim_id TEXT REFERENCES claims (id),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_person ON notifications (person_id, read_at);
