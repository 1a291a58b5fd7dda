-- Refresh the stored answers computed more than :older_than_seconds ago (schema.sql,
-- refresh_stored_answers; a second caller at the same moment returns 0 at once).
-- Parameters: older_than_seconds (number). Returns: refreshed (how many were refreshed).
SELECT refresh_stored_answers(make_interval(secs => CAST(:older_than_seconds AS float8))) AS refreshed;
