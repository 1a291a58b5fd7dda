-- When each stored answer (a materialized view, schema.sql) was last computed.
-- Parameters: none.
-- Returns: name (the view), computed_at (TIMESTAMPTZ).
SELECT s.name, s.computed_at FROM stored_answers s;
