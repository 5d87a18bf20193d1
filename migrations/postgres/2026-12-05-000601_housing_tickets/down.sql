-- Back to area entitlements only: the tickets, their ledger and codes go; a ticket household
-- becomes a cash one (what it was paid in); units lose their usage, and a unit without rooms
-- or halls gets 1 room and 0 halls.
DROP INDEX reservations_ticket;
ALTER TABLE reservations DROP COLUMN ticket_id, DROP COLUMN ticket_debit_yuan,
    DROP COLUMN ticket_bonus_yuan, DROP COLUMN ticket_bonus_pct, DROP COLUMN ticket_balance_after_yuan;
ALTER TABLE kiosk_sessions DROP COLUMN ticket_id;
DROP TABLE ticket_redemption_codes;
DROP TABLE ticket_entries;
DROP FUNCTION ticket_entries_append_only();
DROP TABLE tickets;

UPDATE households SET method = 'cash' WHERE method = 'ticket';
ALTER TABLE households DROP CONSTRAINT households_method_check;
ALTER TABLE households ADD CONSTRAINT households_method_check
    CHECK (method IN ('hall', 'in_kind', 'cash'));

DROP INDEX units_usage;
ALTER TABLE units DROP CONSTRAINT units_residential_layout;
UPDATE units SET rooms = COALESCE(rooms, 1), halls = COALESCE(halls, 0)
    WHERE rooms IS NULL OR halls IS NULL;
ALTER TABLE units ALTER COLUMN rooms SET NOT NULL;
ALTER TABLE units ALTER COLUMN halls SET NOT NULL;
ALTER TABLE units DROP COLUMN usage;
