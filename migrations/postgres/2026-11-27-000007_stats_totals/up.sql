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
-- stock_deltas / confirmed_deltas / settlement_deltas: the statement triggers only ever append here, so concurrent
-- holds and confirmations never wait on (or deadlock over) a shared totals row; a compactor
-- (`db::stats::compact`, one at a time under an advisory lock) moves them into the totals in one
-- statement. The figures read totals plus deltas, so they are exact before and after it runs.

CREATE TABLE stock_totals (
    project_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    units BIGINT NOT NULL CHECK (units >= 0),
    area_centi BIGINT NOT NULL CHECK (area_centi >= 0),
    value_yuan BIGINT NOT NULL CHECK (value_yuan >= 0),
    PRIMARY KEY (project_id, status)
);

CREATE TABLE confirmed_day_totals (
    project_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    units BIGINT NOT NULL CHECK (units >= 0),
    area_centi BIGINT NOT NULL CHECK (area_centi >= 0),
    value_yuan BIGINT NOT NULL CHECK (value_yuan >= 0),
    PRIMARY KEY (day, project_id)
);

CREATE TABLE confirmed_xun_totals (
    project_id BIGINT NOT NULL,
    xun_day INTEGER NOT NULL,
    units BIGINT NOT NULL CHECK (units >= 0),
    area_centi BIGINT NOT NULL CHECK (area_centi >= 0),
    value_yuan BIGINT NOT NULL CHECK (value_yuan >= 0),
    PRIMARY KEY (xun_day, project_id)
);

CREATE TABLE settlement_totals (
    project_id BIGINT NOT NULL PRIMARY KEY,
    reservations BIGINT NOT NULL CHECK (reservations >= 0),
    gov_pays_yuan BIGINT NOT NULL CHECK (gov_pays_yuan >= 0)
);

CREATE TABLE stock_deltas (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    units BIGINT NOT NULL,
    area_centi BIGINT NOT NULL,
    value_yuan BIGINT NOT NULL
);

CREATE TABLE confirmed_deltas (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id BIGINT NOT NULL,
    day INTEGER NOT NULL,
    units BIGINT NOT NULL,
    area_centi BIGINT NOT NULL,
    value_yuan BIGINT NOT NULL
);

CREATE TABLE settlement_deltas (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

-- units: rows out of their old (project, status), rows into their new one, summed per statement
CREATE FUNCTION units_stock_deltas() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO stock_deltas (project_id, status, units, area_centi, value_yuan)
        SELECT project_id, status, COUNT(*), SUM(area_centi_m2), SUM(total_price_yuan)
        FROM new_rows GROUP BY project_id, status;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO stock_deltas (project_id, status, units, area_centi, value_yuan)
        SELECT project_id, status, -COUNT(*), -SUM(area_centi_m2), -SUM(total_price_yuan)
        FROM old_rows GROUP BY project_id, status;
    ELSE
        INSERT INTO stock_deltas (project_id, status, units, area_centi, value_yuan)
        SELECT project_id, status, SUM(n), SUM(area), SUM(value)
        FROM (SELECT project_id, status, -1 AS n, -area_centi_m2 AS area, -total_price_yuan AS value
              FROM old_rows
              UNION ALL
              SELECT project_id, status, 1, area_centi_m2, total_price_yuan FROM new_rows) AS d
        GROUP BY project_id, status
        HAVING SUM(n) <> 0 OR SUM(area) <> 0 OR SUM(value) <> 0;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER units_stock_insert AFTER INSERT ON units
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION units_stock_deltas();
CREATE TRIGGER units_stock_update AFTER UPDATE ON units
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION units_stock_deltas();
CREATE TRIGGER units_stock_delete AFTER DELETE ON units
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION units_stock_deltas();

-- reservations: a confirmation counts while its status is confirmed or contracted; its unit's
-- area and value are fixed meanwhile (a held, reserved or sold unit cannot be edited); a
-- settlement counts while the reservation is contracted
CREATE FUNCTION reservations_confirmed_deltas() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO settlement_deltas (project_id, reservations, gov_pays_yuan)
        SELECT u.project_id, COUNT(*), SUM(COALESCE(r.gov_pays_yuan, 0))
        FROM new_rows r JOIN units u ON u.id = r.unit_id
        WHERE r.status = 'contracted'
        GROUP BY u.project_id;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO settlement_deltas (project_id, reservations, gov_pays_yuan)
        SELECT u.project_id, -COUNT(*), -SUM(COALESCE(r.gov_pays_yuan, 0))
        FROM old_rows r JOIN units u ON u.id = r.unit_id
        WHERE r.status = 'contracted'
        GROUP BY u.project_id;
    ELSE
        INSERT INTO settlement_deltas (project_id, reservations, gov_pays_yuan)
        SELECT u.project_id, SUM(d.n), SUM(d.n * d.gov)
        FROM (SELECT unit_id, 1 AS n, COALESCE(gov_pays_yuan, 0) AS gov FROM new_rows
              WHERE status = 'contracted'
              UNION ALL
              SELECT unit_id, -1, COALESCE(gov_pays_yuan, 0) FROM old_rows
              WHERE status = 'contracted') AS d
        JOIN units u ON u.id = d.unit_id
        GROUP BY u.project_id
        HAVING SUM(d.n) <> 0 OR SUM(d.n * d.gov) <> 0;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO confirmed_deltas (project_id, day, units, area_centi, value_yuan)
        SELECT u.project_id, r.confirmed_day, COUNT(*), SUM(u.area_centi_m2), SUM(u.total_price_yuan)
        FROM new_rows r JOIN units u ON u.id = r.unit_id
        WHERE r.status IN ('confirmed', 'contracted') AND r.confirmed_day IS NOT NULL
        GROUP BY u.project_id, r.confirmed_day;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO confirmed_deltas (project_id, day, units, area_centi, value_yuan)
        SELECT u.project_id, r.confirmed_day, -COUNT(*), -SUM(u.area_centi_m2), -SUM(u.total_price_yuan)
        FROM old_rows r JOIN units u ON u.id = r.unit_id
        WHERE r.status IN ('confirmed', 'contracted') AND r.confirmed_day IS NOT NULL
        GROUP BY u.project_id, r.confirmed_day;
    ELSE
        INSERT INTO confirmed_deltas (project_id, day, units, area_centi, value_yuan)
        SELECT u.project_id, d.day, SUM(d.n), SUM(d.n * u.area_centi_m2), SUM(d.n * u.total_price_yuan)
        FROM (SELECT unit_id, confirmed_day AS day, -1 AS n FROM old_rows
              WHERE status IN ('confirmed', 'contracted') AND confirmed_day IS NOT NULL
              UNION ALL
              SELECT unit_id, confirmed_day, 1 FROM new_rows
              WHERE status IN ('confirmed', 'contracted') AND confirmed_day IS NOT NULL) AS d
        JOIN units u ON u.id = d.unit_id
        GROUP BY u.project_id, d.day
        HAVING SUM(d.n) <> 0 OR SUM(d.n * u.area_centi_m2) <> 0 OR SUM(d.n * u.total_price_yuan) <> 0;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER reservations_confirmed_insert AFTER INSERT ON reservations
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reservations_confirmed_deltas();
CREATE TRIGGER reservations_confirmed_update AFTER UPDATE ON reservations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reservations_confirmed_deltas();
CREATE TRIGGER reservations_confirmed_delete AFTER DELETE ON reservations
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reservations_confirmed_deltas();
