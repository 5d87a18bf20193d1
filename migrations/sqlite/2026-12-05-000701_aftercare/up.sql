-- After the pick (docs/aftercare.md): public notices of a round's results and objections to
-- them (公示 / 复核), proxies who choose for a household (委托代选), call-up times and
-- notification endpoints for call-up notices (叫号 / 过号), handover with the area difference
-- settled by rule (交房 / 面积差), rescission (退房) and move-in (入住).
-- reservations gains the status 'rescinded' and the proxy that acted; its status CHECK cannot
-- change in place in SQLite, so the table is rebuilt as in migration 000601 (foreign keys off,
-- outside a transaction, hence metadata.toml; copy, drop, rename, indexes and triggers again).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

-- the co-applicants (共同申请人) named in a household's record: a JSON list of names, encrypted
ALTER TABLE households ADD COLUMN co_applicants_enc TEXT;

-- A proxy (委托代选): a co-applicant or a notarised agent who may choose for the household with
-- a PIN of its own. Personal data as a household's: encrypted, masked beside, ID number keyed.
CREATE TABLE proxies (
    id INTEGER PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households (id),
    name_enc TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    id_number_enc TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    id_number_hmac TEXT NOT NULL,
    phone_enc TEXT NOT NULL,
    phone_masked TEXT NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('co_applicant', 'notarized')),
    document_no_enc TEXT,
    document_no_masked TEXT,
    pin_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    created_by_official_id BIGINT,
    created_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT,
    revoked_by_official_id BIGINT,
    CHECK (relation <> 'notarized' OR document_no_enc IS NOT NULL),
    CHECK ((status = 'revoked') = (revoked_at_ms IS NOT NULL))
);
CREATE INDEX proxies_household ON proxies (household_id, status);
-- one active registration of a person for a household
CREATE UNIQUE INDEX proxies_one_active ON proxies (household_id, id_number_hmac)
    WHERE status = 'active';

-- a kiosk session opened with a proxy's PIN
ALTER TABLE kiosk_sessions ADD COLUMN proxy_id BIGINT;

-- a redemption code made in a proxy session: the redeemed reservation records the proxy
ALTER TABLE ticket_redemption_codes ADD COLUMN proxy_id BIGINT;

-- when the pointer reached a member (its call-up): a no-show is decided from it at read time
ALTER TABLE round_members ADD COLUMN called_at_ms BIGINT;

CREATE TABLE reservations_new (
    id INTEGER PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    round_id BIGINT REFERENCES rounds (id),
    status TEXT NOT NULL
        CHECK (status IN ('held', 'confirmed', 'contracted', 'expired', 'released', 'cancelled',
                          'rescinded')),
    held_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    confirmed_at_ms BIGINT,
    confirmed_day INTEGER,
    contracted_at_ms BIGINT,
    ended_at_ms BIGINT,
    policy_version BIGINT,
    entitled_centi_m2 BIGINT,
    covered_centi_m2 BIGINT,
    origin_consumed_centi_m2 BIGINT CHECK (origin_consumed_centi_m2 >= 0),
    gov_pays_yuan BIGINT CHECK (gov_pays_yuan >= 0),
    top_up_yuan BIGINT CHECK (top_up_yuan >= 0),
    reward_yuan BIGINT CHECK (reward_yuan >= 0),
    contract_no TEXT,
    cancel_reason TEXT,
    updated_at_ms BIGINT NOT NULL,
    ticket_id BIGINT,
    ticket_debit_yuan BIGINT CHECK (ticket_debit_yuan >= 0),
    ticket_bonus_yuan BIGINT CHECK (ticket_bonus_yuan >= 0),
    ticket_bonus_pct INTEGER CHECK (ticket_bonus_pct >= 0),
    ticket_balance_after_yuan BIGINT CHECK (ticket_balance_after_yuan >= 0),
    proxy_id BIGINT REFERENCES proxies (id),
    CHECK (status IN ('held', 'expired', 'released') OR origin_consumed_centi_m2 IS NOT NULL)
);
INSERT INTO reservations_new SELECT
    id, household_id, unit_id, round_id, status, held_at_ms, expires_at_ms, confirmed_at_ms,
    confirmed_day, contracted_at_ms, ended_at_ms, policy_version, entitled_centi_m2,
    covered_centi_m2, origin_consumed_centi_m2, gov_pays_yuan, top_up_yuan, reward_yuan,
    contract_no, cancel_reason, updated_at_ms, ticket_id, ticket_debit_yuan, ticket_bonus_yuan,
    ticket_bonus_pct, ticket_balance_after_yuan, NULL
FROM reservations;
DROP TABLE reservations;
PRAGMA legacy_alter_table = ON;
ALTER TABLE reservations_new RENAME TO reservations;
PRAGMA legacy_alter_table = OFF;
CREATE UNIQUE INDEX reservations_one_active_per_unit ON reservations (unit_id)
    WHERE status IN ('held', 'confirmed', 'contracted');
CREATE INDEX reservations_household ON reservations (household_id, status);
CREATE INDEX reservations_status_expiry ON reservations (status, expires_at_ms);
CREATE INDEX reservations_confirmed_day ON reservations (confirmed_day, status);
CREATE INDEX reservations_confirmed_unit ON reservations (confirmed_day, status, unit_id);
CREATE INDEX reservations_settlement ON reservations (status, unit_id, gov_pays_yuan);
CREATE INDEX reservations_status_household ON reservations (status, household_id);
CREATE INDEX reservations_ticket ON reservations (ticket_id, status);
CREATE INDEX reservations_round ON reservations (round_id, household_id);

CREATE TRIGGER reservations_confirmed_insert AFTER INSERT ON reservations
WHEN NEW.status IN ('confirmed', 'contracted') AND NEW.confirmed_day IS NOT NULL
BEGIN
    INSERT INTO confirmed_day_totals (project_id, day, units, area_centi, value_yuan)
    SELECT project_id, NEW.confirmed_day, 1, area_centi_m2, total_price_yuan
    FROM units WHERE id = NEW.unit_id
    ON CONFLICT (day, project_id) DO UPDATE SET units = units + excluded.units,
        area_centi = area_centi + excluded.area_centi, value_yuan = value_yuan + excluded.value_yuan;
    INSERT INTO confirmed_xun_totals (project_id, xun_day, units, area_centi, value_yuan)
    SELECT project_id, (NEW.confirmed_day / 100) * 100 + CASE WHEN NEW.confirmed_day % 100 <= 10 THEN 1
        WHEN NEW.confirmed_day % 100 <= 20 THEN 11 ELSE 21 END, 1, area_centi_m2, total_price_yuan
    FROM units WHERE id = NEW.unit_id
    ON CONFLICT (xun_day, project_id) DO UPDATE SET units = units + excluded.units,
        area_centi = area_centi + excluded.area_centi, value_yuan = value_yuan + excluded.value_yuan;
END;

CREATE TRIGGER reservations_confirmed_update
AFTER UPDATE OF status, confirmed_day, unit_id ON reservations
WHEN (OLD.status IN ('confirmed', 'contracted') AND OLD.confirmed_day IS NOT NULL)
    IS NOT (NEW.status IN ('confirmed', 'contracted') AND NEW.confirmed_day IS NOT NULL)
    OR (NEW.status IN ('confirmed', 'contracted')
        AND (OLD.confirmed_day IS NOT NEW.confirmed_day OR OLD.unit_id IS NOT NEW.unit_id))
BEGIN
    UPDATE confirmed_day_totals SET units = units - 1,
        area_centi = area_centi - (SELECT area_centi_m2 FROM units WHERE id = OLD.unit_id),
        value_yuan = value_yuan - (SELECT total_price_yuan FROM units WHERE id = OLD.unit_id)
    WHERE OLD.status IN ('confirmed', 'contracted') AND OLD.confirmed_day IS NOT NULL
        AND day = OLD.confirmed_day
        AND project_id = (SELECT project_id FROM units WHERE id = OLD.unit_id);
    UPDATE confirmed_xun_totals SET units = units - 1,
        area_centi = area_centi - (SELECT area_centi_m2 FROM units WHERE id = OLD.unit_id),
        value_yuan = value_yuan - (SELECT total_price_yuan FROM units WHERE id = OLD.unit_id)
    WHERE OLD.status IN ('confirmed', 'contracted') AND OLD.confirmed_day IS NOT NULL
        AND xun_day = (OLD.confirmed_day / 100) * 100 + CASE WHEN OLD.confirmed_day % 100 <= 10 THEN 1
            WHEN OLD.confirmed_day % 100 <= 20 THEN 11 ELSE 21 END
        AND project_id = (SELECT project_id FROM units WHERE id = OLD.unit_id);
    INSERT INTO confirmed_day_totals (project_id, day, units, area_centi, value_yuan)
    SELECT project_id, NEW.confirmed_day, 1, area_centi_m2, total_price_yuan
    FROM units WHERE id = NEW.unit_id
        AND NEW.status IN ('confirmed', 'contracted') AND NEW.confirmed_day IS NOT NULL
    ON CONFLICT (day, project_id) DO UPDATE SET units = units + excluded.units,
        area_centi = area_centi + excluded.area_centi, value_yuan = value_yuan + excluded.value_yuan;
    INSERT INTO confirmed_xun_totals (project_id, xun_day, units, area_centi, value_yuan)
    SELECT project_id, (NEW.confirmed_day / 100) * 100 + CASE WHEN NEW.confirmed_day % 100 <= 10 THEN 1
        WHEN NEW.confirmed_day % 100 <= 20 THEN 11 ELSE 21 END, 1, area_centi_m2, total_price_yuan
    FROM units WHERE id = NEW.unit_id
        AND NEW.status IN ('confirmed', 'contracted') AND NEW.confirmed_day IS NOT NULL
    ON CONFLICT (xun_day, project_id) DO UPDATE SET units = units + excluded.units,
        area_centi = area_centi + excluded.area_centi, value_yuan = value_yuan + excluded.value_yuan;
END;

CREATE TRIGGER reservations_confirmed_delete AFTER DELETE ON reservations
WHEN OLD.status IN ('confirmed', 'contracted') AND OLD.confirmed_day IS NOT NULL
BEGIN
    UPDATE confirmed_day_totals SET units = units - 1,
        area_centi = area_centi - (SELECT area_centi_m2 FROM units WHERE id = OLD.unit_id),
        value_yuan = value_yuan - (SELECT total_price_yuan FROM units WHERE id = OLD.unit_id)
    WHERE day = OLD.confirmed_day AND project_id = (SELECT project_id FROM units WHERE id = OLD.unit_id);
    UPDATE confirmed_xun_totals SET units = units - 1,
        area_centi = area_centi - (SELECT area_centi_m2 FROM units WHERE id = OLD.unit_id),
        value_yuan = value_yuan - (SELECT total_price_yuan FROM units WHERE id = OLD.unit_id)
    WHERE xun_day = (OLD.confirmed_day / 100) * 100 + CASE WHEN OLD.confirmed_day % 100 <= 10 THEN 1
            WHEN OLD.confirmed_day % 100 <= 20 THEN 11 ELSE 21 END
        AND project_id = (SELECT project_id FROM units WHERE id = OLD.unit_id);
END;

-- reservations: a settlement counts while the reservation is contracted

CREATE TRIGGER reservations_settlement_insert AFTER INSERT ON reservations
WHEN NEW.status = 'contracted'
BEGIN
    INSERT INTO settlement_totals (project_id, reservations, gov_pays_yuan)
    SELECT project_id, 1, COALESCE(NEW.gov_pays_yuan, 0) FROM units WHERE id = NEW.unit_id
    ON CONFLICT (project_id) DO UPDATE SET reservations = reservations + excluded.reservations,
        gov_pays_yuan = gov_pays_yuan + excluded.gov_pays_yuan;
END;

CREATE TRIGGER reservations_settlement_update
AFTER UPDATE OF status, gov_pays_yuan, unit_id ON reservations
WHEN (OLD.status = 'contracted') IS NOT (NEW.status = 'contracted')
    OR (NEW.status = 'contracted' AND (OLD.gov_pays_yuan IS NOT NEW.gov_pays_yuan
        OR OLD.unit_id IS NOT NEW.unit_id))
BEGIN
    UPDATE settlement_totals SET reservations = reservations - 1,
        gov_pays_yuan = gov_pays_yuan - COALESCE(OLD.gov_pays_yuan, 0)
    WHERE OLD.status = 'contracted'
        AND project_id = (SELECT project_id FROM units WHERE id = OLD.unit_id);
    INSERT INTO settlement_totals (project_id, reservations, gov_pays_yuan)
    SELECT project_id, 1, COALESCE(NEW.gov_pays_yuan, 0) FROM units
    WHERE id = NEW.unit_id AND NEW.status = 'contracted'
    ON CONFLICT (project_id) DO UPDATE SET reservations = reservations + excluded.reservations,
        gov_pays_yuan = gov_pays_yuan + excluded.gov_pays_yuan;
END;

CREATE TRIGGER reservations_settlement_delete AFTER DELETE ON reservations
WHEN OLD.status = 'contracted'
BEGIN
    UPDATE settlement_totals SET reservations = reservations - 1,
        gov_pays_yuan = gov_pays_yuan - COALESCE(OLD.gov_pays_yuan, 0)
    WHERE project_id = (SELECT project_id FROM units WHERE id = OLD.unit_id);
END;

-- A public notice (公示) of a round's results: its lines are frozen at publication (masked data
-- only). A reservation appears in at most one notice; a later notice of the same round lists the
-- confirmations made since (补充公示).
CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    title TEXT NOT NULL,
    starts_at_ms BIGINT NOT NULL,
    ends_at_ms BIGINT NOT NULL,
    policy_version BIGINT,
    created_by_official_id BIGINT,
    created_at_ms BIGINT NOT NULL,
    CHECK (ends_at_ms > starts_at_ms)
);
CREATE INDEX notices_round ON notices (round_id, id);

CREATE TABLE notice_lines (
    notice_id BIGINT NOT NULL REFERENCES notices (id),
    position INTEGER NOT NULL CHECK (position >= 1),
    reservation_id BIGINT NOT NULL UNIQUE REFERENCES reservations (id),
    household_id BIGINT NOT NULL REFERENCES households (id),
    name_masked TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    expropriation_project TEXT NOT NULL,
    origin_area_centi_m2 BIGINT NOT NULL,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    project_name TEXT NOT NULL,
    building TEXT NOT NULL,
    unit TEXT NOT NULL,
    room TEXT NOT NULL,
    area_centi_m2 BIGINT NOT NULL,
    origin_consumed_centi_m2 BIGINT NOT NULL,
    selected_by TEXT NOT NULL CHECK (selected_by IN ('self', 'proxy')),
    proxy_name_masked TEXT,
    proxy_relation TEXT,
    PRIMARY KEY (notice_id, position)
);

-- An objection (异议) to a notice, from the public or a kiosk session; reviewed (复核) by an admin
-- before review_deadline_ms. Contact data is personal: encrypted, masked beside.
CREATE TABLE objections (
    id INTEGER PRIMARY KEY,
    receipt_no TEXT NOT NULL UNIQUE,
    notice_id BIGINT NOT NULL REFERENCES notices (id),
    line_position INTEGER,
    text TEXT NOT NULL,
    contact_name_enc TEXT NOT NULL,
    contact_name_masked TEXT NOT NULL,
    contact_phone_enc TEXT NOT NULL,
    contact_phone_masked TEXT NOT NULL,
    household_id BIGINT REFERENCES households (id),
    proxy_id BIGINT REFERENCES proxies (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'dismissed')),
    review_deadline_ms BIGINT NOT NULL,
    response TEXT,
    resolved_at_ms BIGINT,
    resolved_by_official_id BIGINT,
    cancelled_reservation_id BIGINT REFERENCES reservations (id),
    created_at_ms BIGINT NOT NULL,
    CHECK ((status = 'open') = (resolved_at_ms IS NULL)),
    CHECK (status = 'upheld' OR cancelled_reservation_id IS NULL)
);
CREATE INDEX objections_notice ON objections (notice_id, status);
CREATE INDEX objections_status ON objections (status, review_deadline_ms);

-- Officials' notification endpoints (an SMS gateway's adapter, say) and the outbox of
-- deliveries to them, sent through the same outbound guard as webhooks. A payload is stored
-- without the phone: the worker adds it from the household's ciphertext when it sends.
CREATE TABLE notification_endpoints (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret_enc TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'deleted')),
    created_by_official_id BIGINT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE notification_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id BIGINT NOT NULL REFERENCES notification_endpoints (id),
    event TEXT NOT NULL,
    household_id BIGINT REFERENCES households (id),
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at_ms BIGINT NOT NULL,
    claim_token TEXT,
    claimed_until_ms BIGINT,
    last_attempt_at_ms BIGINT,
    last_status_code INTEGER,
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    delivered_at_ms BIGINT
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (status, next_attempt_at_ms);
CREATE INDEX notification_deliveries_claim ON notification_deliveries (claim_token);
CREATE INDEX notification_deliveries_endpoint ON notification_deliveries (endpoint_id, id);

-- A handover (交房) of a contracted reservation: the measured area and the settlement of the
-- area difference, frozen when filed (an admin's correction replaces it, with its reason), then
-- rescission (退房) or move-in (入住). One per reservation.
CREATE TABLE handovers (
    reservation_id BIGINT PRIMARY KEY REFERENCES reservations (id),
    contracted_area_centi_m2 BIGINT NOT NULL CHECK (contracted_area_centi_m2 > 0),
    measured_area_centi_m2 BIGINT NOT NULL CHECK (measured_area_centi_m2 > 0),
    price_per_m2_yuan BIGINT NOT NULL CHECK (price_per_m2_yuan >= 0),
    area_case TEXT NOT NULL
        CHECK (area_case IN ('within_3pct', 'larger_beyond_3pct', 'smaller_beyond_3pct')),
    household_pays_yuan BIGINT NOT NULL,
    developer_absorbs_yuan BIGINT NOT NULL CHECK (developer_absorbs_yuan >= 0),
    developer_penalty_yuan BIGINT NOT NULL CHECK (developer_penalty_yuan >= 0),
    survey_report_no TEXT NOT NULL,
    handover_day INTEGER NOT NULL,
    filed_at_ms BIGINT NOT NULL,
    filed_by_developer_id BIGINT,
    corrected_at_ms BIGINT,
    corrected_by_official_id BIGINT,
    correction_reason TEXT,
    rescinded_at_ms BIGINT,
    rescind_reason TEXT,
    moved_in_day INTEGER,
    moved_in_at_ms BIGINT,
    CHECK (rescinded_at_ms IS NULL OR moved_in_day IS NULL),
    CHECK (rescinded_at_ms IS NULL OR area_case <> 'within_3pct'),
    CHECK ((corrected_at_ms IS NULL) = (correction_reason IS NULL))
);
CREATE INDEX handovers_day ON handovers (handover_day);

COMMIT;
PRAGMA foreign_keys = ON;
