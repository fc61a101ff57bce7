-- Terms, categories, the training ledger, claims, evidence and the findings of the checks.

CREATE TABLE terms (
    -- e.g. '2022-2023-2'
    code TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    review_deadline TEXT NOT NULL,
    -- Hours each teacher must reach in the term, in tenths.
    required_hours BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE categories (
    id TEXT PRIMARY KEY,
    term_code TEXT NOT NULL REFERENCES terms (code),
    -- 1 to 8 in the order the center publishes them.
    code SMALLINT NOT NULL,
    name TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    max_hours_per_claim BIGINT,
    max_hours_per_day BIGINT NOT NULL,
    -- One-of groups, e.g. 'certificate|notes|sign_in;screenshot'.
    evidence_rule TEXT NOT NULL,
    requires_activity SMALLINT NOT NULL,
    school_accredited SMALLINT NOT NULL,
    min_notes_chars BIGINT NOT NULL,
    -- Words separated by '、'; a topic should contain one of them.
    scope_words TEXT NOT NULL DEFAULT '',
    UNIQUE (term_code, code)
);

-- The training ledger (台账): activities the center and the units organize.
CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    term_code TEXT NOT NULL REFERENCES terms (code),
    category_id TEXT NOT NULL REFERENCES categories (id),
    title TEXT NOT NULL,
    -- Organizing unit; NULL when the center organizes it.
    unit_id TEXT REFERENCES units (id),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL CHECK (mode IN ('offline', 'online')),
    hours BIGINT NOT NULL,
    speaker TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    filed_by TEXT REFERENCES people (id),
    filed_at BIGINT NOT NULL,
    -- Days from the end date to the filing date in Asia/Shanghai (negative: filed before it ended).
    filing_delay_days BIGINT NOT NULL,
    late SMALLINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX activities_term_unit ON activities (term_code, unit_id);

CREATE TABLE attendance (
    activity_id TEXT NOT NULL REFERENCES activities (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    imported_at BIGINT NOT NULL,
    imported_by TEXT REFERENCES people (id),
    PRIMARY KEY (activity_id, person_id)
);
CREATE INDEX attendance_person ON attendance (person_id);

CREATE TABLE claims (
    id TEXT PRIMARY KEY,
    term_code TEXT NOT NULL REFERENCES terms (code),
    category_id TEXT NOT NULL REFERENCES categories (id),
    teacher_id TEXT NOT NULL REFERENCES people (id),
    -- The teacher's unit and office when the claim was last submitted; reports count here.
    unit_id TEXT NOT NULL REFERENCES units (id),
    office_id TEXT REFERENCES offices (id),
    topic TEXT NOT NULL,
    organizer TEXT NOT NULL DEFAULT '',
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('offline', 'online')),
    claimed_hours BIGINT NOT NULL,
    accredited_hours BIGINT,
    notes TEXT NOT NULL DEFAULT '',
    certificate_date TEXT,
    activity_id TEXT REFERENCES activities (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'returned', 'accredited', 'rejected')),
    -- Review level while pending: 'office', 'unit' or 'school'.
    level TEXT,
    reason_code TEXT,
    -- 'platform' or 'history' (imported from a spreadsheet of a past term).
    source TEXT NOT NULL DEFAULT 'platform',
    -- Random token of the form or API request that created the claim; a repeat returns the same claim.
    form_token TEXT UNIQUE,
    -- Natural key of a history-import row, so importing a file again adds nothing.
    import_key TEXT UNIQUE,
    -- Submissions so far; decisions carry the round they belong to.
    round BIGINT NOT NULL DEFAULT 0,
    -- Optimistic lock: every state change requires the version it read.
    version BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT,
    decided_at BIGINT
);
CREATE INDEX claims_term_unit_status ON claims (term_code, unit_id, status);
CREATE INDEX claims_teacher_term ON claims (teacher_id, term_code);
CREATE INDEX claims_queue ON claims (status, level, unit_id, office_id, submitted_at);
CREATE INDEX claims_activity ON claims (activity_id);

-- Stored files, content-addressed by SHA-256, with what was read from their bytes.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    -- The type judged from the bytes, e.g. 'jpeg', 'pdf', 'docx'.
    file_type TEXT NOT NULL,
    -- 64-bit perceptual hash of photos, stored as a signed integer with the same bits.
    phash BIGINT,
    -- EXIF DateTimeOriginal of photos as 'YYYY-MM-DD'.
    exif_date TEXT,
    created_at BIGINT NOT NULL
);

-- The eight 8-bit bands of each photo's perceptual hash. Two hashes within Hamming
-- distance 7 share at least one band exactly, so an indexed lookup on the bands finds
-- every near-identical candidate.
CREATE TABLE photo_hash_bands (
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    band SMALLINT NOT NULL,
    band_value BIGINT NOT NULL,
    PRIMARY KEY (band, band_value, sha256)
);

CREATE TABLE evidence (
    id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES claims (id),
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES people (id),
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX evidence_claim ON evidence (claim_id);
CREATE INDEX evidence_sha256 ON evidence (sha256);

-- Flags the checks raised at submission; blocking findings stop the submission and are not stored.
CREATE TABLE claim_flags (
    id TEXT PRIMARY KEY,
    claim_id TEXT NOT NULL REFERENCES claims (id),
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    related_claim_id TEXT REFERENCES claims (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX claim_flags_claim ON claim_flags (claim_id);
CREATE INDEX claim_flags_related ON claim_flags (related_claim_id);
