-- Running totals behind the officials' figures, so a figure reads a few thousand rows instead of
-- a million units or every confirmation joined to its unit. They are derived data: triggers keep
-- them exact in the same transaction as every change of a unit or a reservation, whatever code
-- makes it, and this migration fills them from the rows already there.
--
-- stock_totals: units per project and status, with their area and value.
-- confirmed_day_totals / confirmed_xun_totals: confirmations that stand (status confirmed or
-- contracted) per project and local day, and per project and 旬 (keyed by the 旬's first day),
-- with their units' area and value.
-- settlement_totals: reservations now contracted per project, with Σ gov_pays_yuan.
-- stock_deltas / confirmed_deltas / settlement_deltas: where PostgreSQL's triggers append changes (folded into the
-- totals by a compactor, so concurrent writers never wait on a shared totals row). SQLite has
-- one writer at a time, so its triggers update the totals directly and these stay empty; the
-- figures read totals plus deltas on both backends.

CREATE TABLE stock_totals (
    project_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    units BIGINT NOT NULL CHECK (units >= 0),
    area_centi BIGINT NOT NULL CHECK (area_centi >= 0),
    value_yuan BIGINT NOT NULL CHECK (value_yuan >= 0),
    PRIMARY KEY (project_id, status)
) WITHOUT ROWID;

CREATE TABLE confirmed_day_totals (
    project_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    units BIGINT NOT NULL CHECK (units >= 0),
    area_centi BIGINT NOT NULL CHECK (area_centi >= 0),
    value_yuan BIGINT NOT NULL CHECK (value_yuan >= 0),
    PRIMARY KEY (day, project_id)
) WITHOUT ROWID;

CREATE TABLE confirmed_xun_totals (
    project_id BIGINT NOT NULL,
    xun_day INTEGER NOT NULL,
    units BIGINT NOT NULL CHECK (units >= 0),
    area_centi BIGINT NOT NULL CHECK (area_centi >= 0),
    value_yuan BIGINT NOT NULL CHECK (value_yuan >= 0),
    PRIMARY KEY (xun_day, project_id)
) WITHOUT ROWID;

CREATE TABLE settlement_totals (
    project_id BIGINT NOT NULL PRIMARY KEY,
    reservations BIGINT NOT NULL CHECK (reservations >= 0),
    gov_pays_yuan BIGINT NOT NULL CHECK (gov_pays_yuan >= 0)
) WITHOUT ROWID;

CREATE TABLE stock_deltas (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    units BIGINT NOT NULL,
    area_centi BIGINT NOT NULL,
    value_yuan BIGINT NOT NULL
);

CREATE TABLE confirmed_deltas (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    units BIGINT NOT NULL,
    area_centi BIGINT NOT NULL,
    value_yuan BIGINT NOT NULL
);

CREATE TABLE settlement_deltas (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    reservations BIGINT NOT NULL,
    gov_pays_yuan BIGINT NOT NULL
);

INSERT INTO settlement_totals (project_id, reservations, gov_pays_yuan)
SELECT units.project_id, COUNT(*), COALESCE(SUM(reservations.gov_pays_yuan), 0)
FROM reservations JOIN units ON units.id = reservations.unit_id
WHERE reservations.status = 'contracted'
GROUP BY units.project_id;

INSERT INTO stock_totals (project_id, status, units, area_centi, value_yuan)
SELECT project_id, status, COUNT(*), SUM(area_centi_m2), SUM(total_price_yuan)
FROM units GROUP BY project_id, status;

INSERT INTO confirmed_day_totals (project_id, day, units, area_centi, value_yuan)
SELECT units.project_id, reservations.confirmed_day, COUNT(*), SUM(units.area_centi_m2),
       SUM(units.total_price_yuan)
FROM reservations JOIN units ON units.id = reservations.unit_id
WHERE reservations.status IN ('confirmed', 'contracted') AND reservations.confirmed_day IS NOT NULL
GROUP BY units.project_id, reservations.confirmed_day;

INSERT INTO confirmed_xun_totals (project_id, xun_day, units, area_centi, value_yuan)
SELECT project_id, (day / 100) * 100 + CASE WHEN day % 100 <= 10 THEN 1 WHEN day % 100 <= 20 THEN 11 ELSE 21 END,
       SUM(units), SUM(area_centi), SUM(value_yuan)
FROM confirmed_day_totals
GROUP BY 1, 2;

-- units: one row out of its old (project, status), one row into its new one

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

-- reservations: a confirmation counts while its status is confirmed or contracted; its unit's
-- area and value are fixed meanwhile (a held, reserved or sold unit cannot be edited)

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
