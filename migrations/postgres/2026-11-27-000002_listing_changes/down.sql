DROP INDEX units_status;
DROP TABLE listing_changes;
