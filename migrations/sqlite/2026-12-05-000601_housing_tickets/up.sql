-- Housing tickets (房票): a household method 'ticket', the tickets and their append-only ledger,
-- one-time redemption codes, the ticket terms frozen into a reservation, a kiosk session that
-- stands for a ticket, and each unit's usage (住宅/商业/办公/车位), whose non-residential units
-- may have no rooms and halls.
-- households.method's CHECK and units.rooms/halls' NOT NULL cannot change in place in SQLite, so
-- both tables are rebuilt as sqlite.org describes ("Making Other Kinds Of Table Schema
-- Changes", and migration 000401): foreign keys off (outside a transaction, hence
-- metadata.toml), copy, drop, rename, then their indexes and triggers again. Ids are kept.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

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
    method TEXT NOT NULL CHECK (method IN ('hall', 'in_kind', 'cash', 'ticket')),
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
    family_size, method, voucher_no, pin_hash, login_failures, locked_until_ms, created_at_ms,
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
    rooms INTEGER CHECK (rooms BETWEEN 1 AND 20),
    halls INTEGER CHECK (halls BETWEEN 0 AND 10),
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
    usage TEXT NOT NULL DEFAULT 'residential'
        CHECK (usage IN ('residential', 'commercial', 'office', 'parking')),
    UNIQUE (project_id, building, unit, room),
    -- a flat always has its rooms and halls; a shop, office or parking space may have none
    CHECK (usage <> 'residential' OR (rooms IS NOT NULL AND halls IS NOT NULL))
);

INSERT INTO units_new (
    id, project_id, building, unit, room, floor, layout, rooms, halls, baths, area_centi_m2,
    inner_area_centi_m2, price_per_m2_yuan, total_price_yuan, orientation, decoration, description,
    status, created_at_ms, updated_at_ms
)
SELECT
    id, project_id, building, unit, room, floor, layout, rooms, halls, baths, area_centi_m2,
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
CREATE INDEX units_usage ON units (usage, status);
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

-- A ticket: a money entitlement of one household, spent by its holder (the household, or after a
-- transfer the named transferee, whose personal data is kept like a household's). Expiry is not
-- stored: a ticket past valid_until_ms is expired whatever its status says (no sweeper needed).
-- The face-value identity of docs/tickets.md holds in every row.
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    household_id BIGINT NOT NULL UNIQUE REFERENCES households (id),
    ticket_no TEXT NOT NULL UNIQUE,
    pin_hash TEXT NOT NULL,
    holder_name_enc TEXT,
    holder_name_masked TEXT,
    holder_id_number_enc TEXT,
    holder_id_number_masked TEXT,
    holder_id_number_hmac TEXT,
    holder_phone_enc TEXT,
    holder_phone_masked TEXT,
    face_value_yuan BIGINT NOT NULL CHECK (face_value_yuan BETWEEN 1 AND 100000000),
    issued_at_ms BIGINT NOT NULL,
    valid_until_ms BIGINT NOT NULL CHECK (valid_until_ms > issued_at_ms),
    balance_yuan BIGINT NOT NULL CHECK (balance_yuan >= 0),
    debited_yuan BIGINT NOT NULL DEFAULT 0 CHECK (debited_yuan >= 0),
    cashed_out_yuan BIGINT NOT NULL DEFAULT 0 CHECK (cashed_out_yuan >= 0),
    voided_yuan BIGINT NOT NULL DEFAULT 0 CHECK (voided_yuan >= 0),
    transfers_used INTEGER NOT NULL DEFAULT 0 CHECK (transfers_used >= 0),
    status TEXT NOT NULL CHECK (status IN ('active', 'exhausted', 'cashed_out', 'void')),
    status_reason TEXT,
    policy_version BIGINT NOT NULL,
    login_failures INTEGER NOT NULL DEFAULT 0 CHECK (login_failures >= 0),
    locked_until_ms BIGINT,
    login_lockouts INTEGER NOT NULL DEFAULT 0 CHECK (login_lockouts >= 0),
    pin_day_start_ms BIGINT,
    pin_day_failures INTEGER NOT NULL DEFAULT 0 CHECK (pin_day_failures >= 0),
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    CHECK (face_value_yuan = balance_yuan + debited_yuan + cashed_out_yuan + voided_yuan),
    -- exhausted exactly when nothing is left; a cashed-out or void ticket keeps nothing
    CHECK (status IN ('cashed_out', 'void') OR (status = 'exhausted') = (balance_yuan = 0)),
    CHECK (status NOT IN ('cashed_out', 'void') OR balance_yuan = 0)
);
CREATE INDEX tickets_status ON tickets (status, valid_until_ms);
CREATE INDEX tickets_holder_id_number ON tickets (holder_id_number_hmac);

-- The ledger: append-only (the triggers refuse any change), written in the transaction of the
-- change it records. entry_day is the local date (YYYYMMDD) for the period figures.
CREATE TABLE ticket_entries (
    id INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    kind TEXT NOT NULL
        CHECK (kind IN ('issue', 'debit', 'bonus', 'refund', 'transfer', 'cash_out', 'void')),
    amount_yuan BIGINT NOT NULL CHECK (amount_yuan >= 0),
    reservation_id BIGINT REFERENCES reservations (id),
    developer_id BIGINT REFERENCES developers (id),
    bonus_pct INTEGER,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    details TEXT NOT NULL DEFAULT '{}',
    at_ms BIGINT NOT NULL,
    entry_day INTEGER NOT NULL,
    CHECK (kind <> 'transfer' OR amount_yuan = 0)
);
CREATE INDEX ticket_entries_ticket ON ticket_entries (ticket_id, id);
CREATE INDEX ticket_entries_day ON ticket_entries (entry_day, kind);
CREATE INDEX ticket_entries_reservation ON ticket_entries (reservation_id);
CREATE TRIGGER ticket_entries_no_update BEFORE UPDATE ON ticket_entries
BEGIN
    SELECT RAISE(ABORT, 'ticket_entries is append-only');
END;
CREATE TRIGGER ticket_entries_no_delete BEFORE DELETE ON ticket_entries
BEGIN
    SELECT RAISE(ABORT, 'ticket_entries is append-only');
END;

-- 核销码: one-time codes a holder shows at a developer's sales office (kept as a keyed hash)
CREATE TABLE ticket_redemption_codes (
    id INTEGER PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    code_hash TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms BIGINT,
    reservation_id BIGINT REFERENCES reservations (id)
);
CREATE INDEX ticket_redemption_codes_ticket ON ticket_redemption_codes (ticket_id, code_hash);

-- a reservation paid by a ticket: which ticket, and its terms frozen at confirmation
-- (no REFERENCES on the two added ticket_id columns: SQLite could not drop such a column in
-- down.sql without rebuilding reservations; PostgreSQL's migration has the foreign keys)
ALTER TABLE reservations ADD COLUMN ticket_id BIGINT;
ALTER TABLE reservations ADD COLUMN ticket_debit_yuan BIGINT CHECK (ticket_debit_yuan >= 0);
ALTER TABLE reservations ADD COLUMN ticket_bonus_yuan BIGINT CHECK (ticket_bonus_yuan >= 0);
ALTER TABLE reservations ADD COLUMN ticket_bonus_pct INTEGER CHECK (ticket_bonus_pct >= 0);
ALTER TABLE reservations ADD COLUMN ticket_balance_after_yuan BIGINT CHECK (ticket_balance_after_yuan >= 0);
CREATE INDEX reservations_ticket ON reservations (ticket_id, status);

-- a kiosk session opened with a ticket number stands for that ticket
ALTER TABLE kiosk_sessions ADD COLUMN ticket_id BIGINT;

COMMIT;
PRAGMA foreign_keys = ON;
