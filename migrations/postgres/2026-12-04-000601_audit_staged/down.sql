DROP TABLE audit_staged;
