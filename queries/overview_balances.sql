-- Current account balance per platform.
-- Parameters: none.
-- Returns: platform, balance (DECIMAL), currency, as_of (TIMESTAMP, UTC). Ordered by platform.
SELECT p.display_name AS platform, b.balance, b.currency, b.created_at AS as_of
FROM current_balances b
JOIN platforms p USING (platform_id)
ORDER BY p.display_name;
