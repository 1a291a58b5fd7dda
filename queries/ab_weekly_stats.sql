-- Running sufficient statistics per strategy version at the end of every week with closes (the
-- weekly "looks" of a review meeting), for one execution mode.
-- Parameters: :strategy_ids (int[]), :since, :until (TIMESTAMP UTC or NULL), :execution_mode.
-- Returns: strategy_id, week (Monday 00:00 UTC starting the week), look_at (the end of that week,
--   exclusive), and to that moment: positions (n), return_sum, return_sum_sq (float), wins.
SELECT strategy_id, week, week + interval '7 days' AS look_at,
       sum(count(*)) OVER run AS positions,
       sum(sum(ret)) OVER run AS return_sum,
       sum(sum(ret * ret)) OVER run AS return_sum_sq,
       sum(count(*) FILTER (WHERE realized_pnl > 0)) OVER run AS wins
FROM (SELECT c.strategy_id, c.ret, c.realized_pnl, date_trunc('week', c.closed_at) AS week
      FROM ab_closed_positions(CAST(:strategy_ids AS int[]), CAST(:since AS timestamp), CAST(:until AS timestamp)) c
      WHERE c.execution_mode = CAST(:execution_mode AS text)) w
GROUP BY strategy_id, week
WINDOW run AS (PARTITION BY strategy_id ORDER BY week)
ORDER BY week, strategy_id;
