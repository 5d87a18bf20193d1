-- Back to stopping at the contract: notices, objections, proxies, endpoints and handovers go;
-- a rescinded reservation becomes 'cancelled' (its unit is already withdrawn and its entitlement
-- restored).
DROP TABLE handovers;
DROP TABLE notification_deliveries;
DROP TABLE notification_endpoints;
DROP TABLE objections;
DROP TABLE notice_lines;
DROP TABLE notices;
DROP INDEX reservations_round;
ALTER TABLE reservations DROP COLUMN proxy_id;
UPDATE reservations SET status = 'cancelled' WHERE status = 'rescinded';
ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check
    CHECK (status IN ('held', 'confirmed', 'contracted', 'expired', 'released', 'cancelled'));
ALTER TABLE round_members DROP COLUMN called_at_ms;
ALTER TABLE kiosk_sessions DROP COLUMN proxy_id;
ALTER TABLE ticket_redemption_codes DROP COLUMN proxy_id;
DROP TABLE proxies;
ALTER TABLE households DROP COLUMN co_applicants_enc;
