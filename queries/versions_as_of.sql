-- What was live at a moment, for every version of one model or strategy: its status then by the
-- recorded lifecycle (version_status_spans; NULL when it did not exist yet) and since when, beside
-- what it actually traded that UTC day: its trades, live and paper, and the buys that its
-- recorded status did not allow when they were made (no trading status then, or live while the
-- version could trade only on paper: a strategy testing, a model validating).
-- Parameters: :kind ('model' | 'strategy'), :version_name (text), :at (TIMESTAMP, UTC).
-- Returns, one row per version in order of creation: version_id, version, status (NULL before it
--   was created), since (TIMESTAMP), trades, live_trades, paper_trades (that day), off_status_buys
--   (buys that day while its status did not trade), off_statuses (text: those statuses, 'not created
--   yet' for buys before the version existed, comma-separated), live_paper_only_buys (live buys
--   that day while it traded on paper only), paper_only_statuses (text).
WITH versions AS (
    SELECT v.version_id, v.version, v.created_at
    FROM lifecycle_versions v
    WHERE v.kind = CAST(:kind AS text) AND v.name = CAST(:version_name AS text)
),
day_trades AS (  -- the day's trades by index on created_at, then those of these versions
    SELECT CASE WHEN CAST(:kind AS text) = 'model' THEN t.model_id ELSE t.strategy_id END AS version_id,
           t.created_at, t.side, t.execution_mode
    FROM trades t
    WHERE t.created_at >= date_trunc('day', CAST(:at AS timestamp))
      AND t.created_at < date_trunc('day', CAST(:at AS timestamp)) + interval '1 day'
),
traded AS (
    SELECT d.version_id,
           count(*) AS trades,
           count(*) FILTER (WHERE d.execution_mode = 'live') AS live_trades,
           count(*) FILTER (WHERE d.execution_mode = 'paper') AS paper_trades,
           count(*) FILTER (WHERE d.side = 'buy' AND m.mode IS NULL) AS off_status_buys,
           string_agg(DISTINCT coalesce(sp.status, 'not created yet'), ', ') FILTER (WHERE d.side = 'buy' AND m.mode IS NULL)
               AS off_statuses,
           count(*) FILTER (WHERE d.side = 'buy' AND d.execution_mode = 'live' AND m.mode = 'paper') AS live_paper_only_buys,
           string_agg(DISTINCT sp.status, ', ') FILTER (WHERE d.side = 'buy' AND d.execution_mode = 'live' AND m.mode = 'paper')
               AS paper_only_statuses
    FROM day_trades d
    JOIN versions v ON v.version_id = d.version_id
    LEFT JOIN version_status_spans sp ON sp.kind = CAST(:kind AS text) AND sp.version_id = d.version_id
                                     AND d.created_at >= sp.since AND d.created_at < sp.until
                                     AND d.created_at >= v.created_at
    CROSS JOIN LATERAL (SELECT version_trading_mode(CAST(:kind AS text), sp.status) AS mode) m
    GROUP BY d.version_id
)
SELECT v.version_id, v.version, a.status, a.since,
       coalesce(tr.trades, 0) AS trades, coalesce(tr.live_trades, 0) AS live_trades,
       coalesce(tr.paper_trades, 0) AS paper_trades, coalesce(tr.off_status_buys, 0) AS off_status_buys,
       tr.off_statuses, coalesce(tr.live_paper_only_buys, 0) AS live_paper_only_buys, tr.paper_only_statuses
FROM versions v
LEFT JOIN versions_status_at(CAST(:kind AS text), CAST(:at AS timestamp), CAST(:version_name AS text)) a
       ON a.version_id = v.version_id
LEFT JOIN traded tr ON tr.version_id = v.version_id
ORDER BY v.created_at, v.version, v.version_id;
