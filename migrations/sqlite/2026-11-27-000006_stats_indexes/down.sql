DROP INDEX reservations_status_household;
DROP INDEX reservations_settlement;
DROP INDEX reservations_confirmed_unit;
DROP INDEX units_stock;
