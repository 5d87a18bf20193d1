-- Back to stopping at the contract: notices, objections, proxies, endpoints and handovers go;
-- a rescinded reservation becomes 'cancelled' (its unit is already withdrawn and its entitlement
-- restored). Same rebuild as up.sql.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

DROP TABLE handovers;
DROP TABLE notification_deliveries;
DROP TABLE notification_endpoints;
DROP TABLE objections;
DROP TABLE notice_lines;
DROP TABLE notices;

CREATE TABLE reservations_new (
    id INTEGER PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    round_id BIGINT REFERENCES rounds (id),
    status TEXT NOT NULL
        CHECK (status IN ('held', 'confirmed', 'contracted', 'expired', 'released', 'cancelled')),
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
    CHECK (status IN ('held', 'expired', 'released') OR origin_consumed_centi_m2 IS NOT NULL)
);
INSERT INTO reservations_new SELECT
    id, household_id, unit_id, round_id,
    CASE status WHEN 'rescinded' THEN 'cancelled' ELSE status END,
    held_at_ms, expires_at_ms, confirmed_at_ms,
    confirmed_day, contracted_at_ms, ended_at_ms, policy_version, entitled_centi_m2,
    covered_centi_m2, origin_consumed_centi_m2, gov_pays_yuan, top_up_yuan, reward_yuan,
    contract_no, cancel_reason, updated_at_ms, ticket_id, ticket_debit_yuan, ticket_bonus_yuan,
    ticket_bonus_pct, ticket_balance_after_yuan
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

ALTER TABLE round_members DROP COLUMN called_at_ms;
ALTER TABLE kiosk_sessions DROP COLUMN proxy_id;
ALTER TABLE ticket_redemption_codes DROP COLUMN proxy_id;
DROP TABLE proxies;
ALTER TABLE households DROP COLUMN co_applicants_enc;

COMMIT;
PRAGMA foreign_keys = ON;
