DROP TABLE audit_events;
DROP TABLE units;
DROP TABLE projects;
DROP TABLE developer_keys;
DROP TABLE developers;
DROP TABLE officials;
