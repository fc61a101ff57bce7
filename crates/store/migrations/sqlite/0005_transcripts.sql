-- Issued transcripts (个人培训学时证明). Each keeps a copy of what it certified, so a
-- reprint shows the same lines and totals even after later changes, and a public
-- verification code that shows the totals to anyone who has it.

CREATE TABLE transcripts (
    id TEXT PRIMARY KEY,
    -- 12 characters without 0, 1, I, L and O, stored without separators.
    code TEXT NOT NULL UNIQUE,
    person_id TEXT NOT NULL REFERENCES people (id),
    -- The person as they were when the transcript was issued.
    staff_id TEXT NOT NULL,
    person_name TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    -- A term ('2022-2023-2') or a school year ('2022-2023').
    period TEXT NOT NULL,
    -- Hours in tenths: accredited claims, school-credited activities, their sum and
    -- the requirement of the period (0 when none is set).
    accredited_hours BIGINT NOT NULL,
    school_credited_hours BIGINT NOT NULL,
    total_hours BIGINT NOT NULL,
    required_hours BIGINT NOT NULL,
    -- The certified lines as a JSON array.
    lines_json TEXT NOT NULL,
    issued_by TEXT REFERENCES people (id),
    issued_at BIGINT NOT NULL
);
CREATE INDEX transcripts_person ON transcripts (person_id, issued_at);
