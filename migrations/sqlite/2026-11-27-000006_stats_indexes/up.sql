-- indexes that let the officials' figures read indexes instead of rows: stock by project and
-- status with area and value (covering), confirmations by local day with their unit, contracted
-- reservations with their unit and amount (settlement), and selections by status and household
-- (hall uptake)
CREATE INDEX units_stock ON units (project_id, status, area_centi_m2, total_price_yuan);
CREATE INDEX reservations_confirmed_unit ON reservations (confirmed_day, status, unit_id);
CREATE INDEX reservations_settlement ON reservations (status, unit_id, gov_pays_yuan);
CREATE INDEX reservations_status_household ON reservations (status, household_id);
