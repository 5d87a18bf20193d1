DROP TABLE idempotency_keys;
DROP TABLE reservations;
DROP TABLE round_members;
DROP TABLE rounds;
