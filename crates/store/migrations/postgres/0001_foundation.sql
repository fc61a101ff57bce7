-- Units, offices, people, roles, sign-in state and the audit log.
-- Conventions shared with migrations/sqlite (kept in step by a schema test):
-- ids are UUIDv7 text, times are BIGINT milliseconds since the Unix epoch (UTC),
-- calendar dates are 'YYYY-MM-DD' text, flags are SMALLINT 0/1, hours are BIGINT tenths.

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- NFKC, no spaces: "财经学院　" and "财经 学院" are one unit.
    name_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('teaching', 'other')),
    sort_order BIGINT NOT NULL DEFAULT 0,
    -- Review levels in order, e.g. 'office,unit,school'.
    review_chain TEXT NOT NULL DEFAULT 'office,unit,school',
    created_at BIGINT NOT NULL
);

CREATE TABLE offices (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (unit_id, name_key)
);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit_id TEXT REFERENCES units (id),
    office_id TEXT REFERENCES offices (id),
    title TEXT NOT NULL DEFAULT '',
    active SMALLINT NOT NULL DEFAULT 1,
    -- argon2id PHC string; NULL until a password is set.
    password_hash TEXT,
    must_change_password SMALLINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX people_unit ON people (unit_id, office_id);

CREATE TABLE role_grants (
    person_id TEXT NOT NULL REFERENCES people (id),
    role TEXT NOT NULL,
    -- Office id for office directors, unit id for unit reviewers, '' otherwise.
    scope_id TEXT NOT NULL DEFAULT '',
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, role, scope_id)
);
CREATE INDEX role_grants_scope ON role_grants (role, scope_id);

-- Browser sessions. The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

-- Bearer tokens of the JSON API, stored as SHA-256 like sessions.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

-- Failed sign-in counters, keyed 'account:<staff id>' or 'ip:<address>'.
CREATE TABLE sign_in_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until BIGINT
);

-- Append-only record of every state change: who, when, from where, before and after.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor_ip TEXT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    reason_code TEXT,
    comment TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
