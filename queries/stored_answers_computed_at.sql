-- When the stored answers were computed (schema.sql, "Exits page: its four aggregates"): the
-- oldest, which is what a page reading several of them can promise.
-- Returns: computed_at (TIMESTAMPTZ, NULL when none is stored).
SELECT min(computed_at) AS computed_at FROM stored_answers;
