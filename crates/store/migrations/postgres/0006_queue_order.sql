-- The school-level queue lists the claims waiting at one level across every unit,
-- oldest first. claims_queue orders them only within one unit and office, so that page
-- sorted every waiting claim to show twenty. This index gives the order directly, and
-- it holds the columns the queue's conditions and count read, so neither reads the table.
CREATE INDEX claims_level_order ON claims (status, level, submitted_at, id, teacher_id, unit_id, office_id);
