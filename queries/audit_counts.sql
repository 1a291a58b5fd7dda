-- How many findings of each kind the attribution audit stored (schema.sql, "Attribution audit";
-- attribution_faults_stored, refreshed with the other stored answers). Kinds without findings
-- have no row.
-- Parameters: none.
-- Returns: kind, findings.
SELECT f.kind, count(*) AS findings
FROM attribution_faults_stored f
GROUP BY f.kind
ORDER BY f.kind;
