DROP TABLE kiosk_sessions;
DROP TABLE households;
DROP TABLE policy_versions;
