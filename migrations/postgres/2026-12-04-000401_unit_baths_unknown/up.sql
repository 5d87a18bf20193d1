-- A layout that names no bathrooms (3房2厅) leaves the count unknown: units.baths becomes
-- nullable (the CHECK stays; a NULL passes it).
ALTER TABLE units ALTER COLUMN baths DROP NOT NULL;
