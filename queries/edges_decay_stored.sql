-- edges_decay.sql for all time without filters, as last stored (schema.sql, "Exits page: its
-- four aggregates ... and edge decay's"), with computed_at (when it was stored) on every row.
SELECT v.*, a.computed_at
FROM edge_decay_stored v
JOIN stored_answers a ON a.name = 'edge_decay_stored'
ORDER BY v.bucket;
