-- A layout that names no bathrooms (3房2厅) leaves the count unknown: units.baths becomes
-- nullable. SQLite cannot drop NOT NULL in place, so the table is rebuilt as sqlite.org
-- describes ("Making Other Kinds Of Table Schema Changes"): foreign keys off (which works only
-- outside a transaction, hence metadata.toml), copy into the new table, drop, rename, then the
-- indexes and the stock-totals triggers on units again (migrations 000001, 000002, 000006,
-- 000007). Ids are kept, so the reservations that point at units stay valid; the copy fires no
-- trigger, so the running totals stay as they are.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

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
