-- Export jobs of the center's reports, and an index the lax-review report needs.

-- A large download written in the background. The page polls the progress, and the file
-- goes to the blob store under its SHA-256 once it is complete.
CREATE TABLE export_jobs (
    id TEXT PRIMARY KEY,
    -- What is exported, e.g. 'claim_details'.
    kind TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('xlsx', 'csv')),
    term_code TEXT NOT NULL REFERENCES terms (code),
    -- Only this unit's claims; NULL exports every unit.
    unit_id TEXT REFERENCES units (id),
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    -- Rows counted when the job started; rows_done reaches it when the rows are written.
    rows_total BIGINT NOT NULL,
    rows_done BIGINT NOT NULL DEFAULT 0,
    -- The download's name, e.g. '2022-2023学年第二学期申报明细.xlsx'.
    file_name TEXT NOT NULL,
    sha256 TEXT,
    size BIGINT,
    -- Chinese message shown when the job failed.
    error TEXT,
    created_by TEXT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL,
    -- Changed with every progress step, so a job whose server stopped can be told apart.
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX export_jobs_creator ON export_jobs (created_by, created_at);
CREATE INDEX export_jobs_sha256 ON export_jobs (sha256);

-- The lax-review report looks up whether a lower-level approval was overturned.
CREATE INDEX overturns_approval ON overturns (approval_decision_id);
