-- Refresh the stored answers older than a minute (schema.sql, refresh_due_stored_answers; a
-- second caller at the same moment returns 0 at once).
-- Parameters: none. Returns: refreshed (how many were refreshed).
SELECT refresh_due_stored_answers() AS refreshed;
