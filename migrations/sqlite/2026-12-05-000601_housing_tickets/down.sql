-- Back to area entitlements only: the tickets, their ledger and codes go; a ticket household
-- becomes a cash one (what it was paid in); units lose their usage, and a unit without rooms
-- or halls gets 1 room and 0 halls. Same rebuild as up.sql.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

DROP INDEX reservations_ticket;
ALTER TABLE reservations DROP COLUMN ticket_id;
ALTER TABLE reservations DROP COLUMN ticket_debit_yuan;
ALTER TABLE reservations DROP COLUMN ticket_bonus_yuan;
ALTER TABLE reservations DROP COLUMN ticket_bonus_pct;
ALTER TABLE reservations DROP COLUMN ticket_balance_after_yuan;
ALTER TABLE kiosk_sessions DROP COLUMN ticket_id;
DROP TABLE ticket_redemption_codes;
DROP TABLE ticket_entries;
DROP TABLE tickets;

CREATE TABLE households_new (
    id INTEGER PRIMARY KEY,
    name_enc TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    name_hmac TEXT NOT NULL,
    id_number_enc TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    id_number_hmac TEXT NOT NULL UNIQUE,
    phone_enc TEXT NOT NULL,
    phone_masked TEXT NOT NULL,
    expropriation_project TEXT NOT NULL,
    origin_area_centi_m2 BIGINT NOT NULL CHECK (origin_area_centi_m2 BETWEEN 100 AND 200000),
    remaining_origin_area_centi_m2 BIGINT NOT NULL
        CHECK (remaining_origin_area_centi_m2 >= 0 AND remaining_origin_area_centi_m2 <= origin_area_centi_m2),
    origin_zone INTEGER NOT NULL CHECK (origin_zone BETWEEN 1 AND 3),
    assessed_price_yuan_per_m2 BIGINT NOT NULL CHECK (assessed_price_yuan_per_m2 BETWEEN 100 AND 300000),
    signed_at_ms BIGINT NOT NULL,
    family_size INTEGER NOT NULL CHECK (family_size BETWEEN 1 AND 20),
    method TEXT NOT NULL CHECK (method IN ('hall', 'in_kind', 'cash')),
    voucher_no TEXT NOT NULL UNIQUE,
    pin_hash TEXT NOT NULL,
    login_failures INTEGER NOT NULL DEFAULT 0 CHECK (login_failures >= 0),
    locked_until_ms BIGINT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    login_lockouts INTEGER NOT NULL DEFAULT 0 CHECK (login_lockouts >= 0),
    pin_day_start_ms BIGINT,
    pin_day_failures INTEGER NOT NULL DEFAULT 0 CHECK (pin_day_failures >= 0)
);
INSERT INTO households_new SELECT
    id, name_enc, name_masked, name_hmac, id_number_enc, id_number_masked, id_number_hmac,
    phone_enc, phone_masked, expropriation_project, origin_area_centi_m2,
    remaining_origin_area_centi_m2, origin_zone, assessed_price_yuan_per_m2, signed_at_ms,
    family_size, CASE method WHEN 'ticket' THEN 'cash' ELSE method END, voucher_no, pin_hash, login_failures, locked_until_ms, created_at_ms,
    updated_at_ms, login_lockouts, pin_day_start_ms, pin_day_failures
FROM households;
DROP TABLE households;
PRAGMA legacy_alter_table = ON;
ALTER TABLE households_new RENAME TO households;
PRAGMA legacy_alter_table = OFF;
CREATE INDEX households_name_hmac ON households (name_hmac);
CREATE INDEX households_method ON households (method);
CREATE INDEX households_signed_at ON households (signed_at_ms, id);

CREATE TABLE units_new (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    building TEXT NOT NULL,
    unit TEXT NOT NULL,
    room TEXT NOT NULL,
    floor INTEGER NOT NULL CHECK (floor BETWEEN 1 AND 200),
    layout TEXT NOT NULL,
    rooms INTEGER NOT NULL CHECK (rooms BETWEEN 1 AND 20),
    halls INTEGER NOT NULL CHECK (halls BETWEEN 0 AND 10),
    baths INTEGER CHECK (baths BETWEEN 0 AND 10),
    area_centi_m2 BIGINT NOT NULL CHECK (area_centi_m2 BETWEEN 1000 AND 100000),
    inner_area_centi_m2 BIGINT CHECK (inner_area_centi_m2 > 0 AND inner_area_centi_m2 <= area_centi_m2),
    price_per_m2_yuan BIGINT NOT NULL CHECK (price_per_m2_yuan BETWEEN 1000 AND 300000),
    total_price_yuan BIGINT NOT NULL CHECK (total_price_yuan > 0),
    orientation TEXT,
    decoration TEXT CHECK (decoration IN ('rough', 'basic', 'fine')),
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('available', 'held', 'reserved', 'sold', 'withdrawn')),
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (project_id, building, unit, room)
);

INSERT INTO units_new (
    id, project_id, building, unit, room, floor, layout, rooms, halls, baths, area_centi_m2,
    inner_area_centi_m2, price_per_m2_yuan, total_price_yuan, orientation, decoration, description,
    status, created_at_ms, updated_at_ms
)
SELECT
    id, project_id, building, unit, room, floor, layout, COALESCE(rooms, 1), COALESCE(halls, 0), baths, area_centi_m2,
    inner_area_centi_m2, price_per_m2_yuan, total_price_yuan, orientation, decoration, description,
    status, created_at_ms, updated_at_ms
FROM units;

DROP TABLE units;
-- legacy mode: the rename must not re-check the reservations triggers, which name "units"
-- (dropped a moment ago, back under that name by this very statement)
PRAGMA legacy_alter_table = ON;
ALTER TABLE units_new RENAME TO units;
PRAGMA legacy_alter_table = OFF;

CREATE INDEX units_project_status ON units (project_id, status);
CREATE INDEX units_status ON units (status);
CREATE INDEX units_stock ON units (project_id, status, area_centi_m2, total_price_yuan);

CREATE TRIGGER units_stock_insert AFTER INSERT ON units
BEGIN
    INSERT INTO stock_totals (project_id, status, units, area_centi, value_yuan)
    VALUES (NEW.project_id, NEW.status, 1, NEW.area_centi_m2, NEW.total_price_yuan)
    ON CONFLICT (project_id, status) DO UPDATE SET units = units + excluded.units,
        area_centi = area_centi + excluded.area_centi, value_yuan = value_yuan + excluded.value_yuan;
END;

CREATE TRIGGER units_stock_update
AFTER UPDATE OF project_id, status, area_centi_m2, total_price_yuan ON units
WHEN OLD.project_id IS NOT NEW.project_id OR OLD.status IS NOT NEW.status
    OR OLD.area_centi_m2 IS NOT NEW.area_centi_m2 OR OLD.total_price_yuan IS NOT NEW.total_price_yuan
BEGIN
    UPDATE stock_totals SET units = units - 1, area_centi = area_centi - OLD.area_centi_m2,
        value_yuan = value_yuan - OLD.total_price_yuan
    WHERE project_id = OLD.project_id AND status = OLD.status;
    INSERT INTO stock_totals (project_id, status, units, area_centi, value_yuan)
    VALUES (NEW.project_id, NEW.status, 1, NEW.area_centi_m2, NEW.total_price_yuan)
    ON CONFLICT (project_id, status) DO UPDATE SET units = units + excluded.units,
        area_centi = area_centi + excluded.area_centi, value_yuan = value_yuan + excluded.value_yuan;
END;

CREATE TRIGGER units_stock_delete AFTER DELETE ON units
BEGIN
    UPDATE stock_totals SET units = units - 1, area_centi = area_centi - OLD.area_centi_m2,
        value_yuan = value_yuan - OLD.total_price_yuan
    WHERE project_id = OLD.project_id AND status = OLD.status;
END;

COMMIT;
PRAGMA foreign_keys = ON;
