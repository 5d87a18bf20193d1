-- Back to a required bathroom count: an unknown one becomes 1, the rule before this migration
-- (and the layout text gets the 1卫 that rule wrote).
UPDATE units SET baths = 1, layout = layout || '1卫' WHERE baths IS NULL;
ALTER TABLE units ALTER COLUMN baths SET NOT NULL;
