"""The A/B page's numbers on a hand-made database with answers worked out by hand (see
tests/ab_fixtures.py for the rows): the closed positions it reads once (ab_closed_positions.sql)
and what analytics/ab_positions.py makes of them -- per-version sums, drawdown and losing streak,
CLV side-aware and only once a market has closed, cost of a scale-in, date ranges, weekly running
totals, daily P&L, histogram bins -- and the stored-ROI check."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from analytics import ab_positions
from queries import fetch
from queries.connection import dashboard_login
from tests.ab_fixtures import ab_url  # noqa: F401  (the database fixture)

SINCE, UNTIL = datetime(2026, 2, 1), datetime(2026, 3, 1)


@pytest.fixture
def db(ab_url, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PRECOG_DATABASE_URL", dashboard_login(ab_url))
    monkeypatch.delenv("PRECOG_READ_URL", raising=False)
    return ab_url


def closed(strategy_ids, since, until):
    return ab_positions.in_closing_order(fetch("ab_closed_positions", strategy_ids=strategy_ids, since=since,
                                                until=until))


def rows_by_key(frame, *keys):
    return {tuple(r[k] for k in keys): r for r in frame.to_dict("records")}


def test_version_metrics_known_answers(db):
    metrics = rows_by_key(ab_positions.version_metrics(closed([1, 2], SINCE, UNTIL)),
                          "strategy_id", "execution_mode")
    assert set(metrics) == {(1, "live"), (1, "paper"), (2, "live")}  # beta (3) is never counted

    control = metrics[(1, "live")]
    # P&L 10, -5, -5, -5, 20, -30, 5 on $50 each, in order of closing; the open and the 2025 one left out
    assert control["positions_closed"] == 7
    assert control["trades"] == 7 + 10  # one buy each; sells alternate 1, 2, 1, 2, ...
    assert (control["wins"], control["losses"]) == (3, 4)
    assert control["realized_pnl"] == Decimal("-10")
    assert control["cost"] == Decimal("350")
    assert control["gross_profit"] == Decimal("35") and control["gross_loss"] == Decimal("45")
    assert control["return_sum"] == pytest.approx(-0.2)
    assert control["return_sum_sq"] == pytest.approx(0.04 + 3 * 0.01 + 0.16 + 0.36 + 0.01)
    # cumulative 10, 5, 0, -5, 15, -15, -10: from the peak of 15 down to -15
    assert control["max_drawdown"] == Decimal("30")
    assert control["longest_losing_streak"] == 3
    assert control["avg_edge"] == Decimal("0.04")  # 0.01 ... 0.07
    # bought yes at 0.50; the last open quote before the market closed was yes 0.60
    assert control["clv_positions"] == 7 and control["avg_clv"] == Decimal("0.1")

    paper = metrics[(1, "paper")]
    # a 'no' position: its closing line is the no price 0.42, bought at 0.48
    assert paper["avg_clv"] == Decimal("-0.06")
    assert paper["max_drawdown"] == Decimal("6")  # the peak starts at 0
    assert paper["return_sum"] == pytest.approx(-6 / 48)

    challenger = metrics[(2, "live")]
    # a settled scale-in (50 at 0.40 + 50 at 0.50 = $45, +9), -2.5 on $50, 0 on $50
    assert challenger["positions_closed"] == 3
    assert challenger["cost"] == Decimal("145")
    assert challenger["return_sum"] == pytest.approx(9 / 45 - 0.05)
    assert (challenger["wins"], challenger["losses"]) == (1, 1)  # break-even is neither
    assert challenger["longest_losing_streak"] == 1
    assert challenger["max_drawdown"] == Decimal("2.5")
    assert challenger["avg_edge"] == Decimal("0.08")  # (0.10 + 0.06) / 2; a missing edge is skipped
    # the scale-in's market is still open: no closing line yet, so 2 of 3 positions have CLV
    assert challenger["clv_positions"] == 2 and challenger["avg_clv"] == Decimal("0.1")
    assert challenger["trades"] == 3 + 2 + 2


def test_open_ended_dates_include_everything_closed(db):
    metrics = rows_by_key(ab_positions.version_metrics(closed([1], None, None)),
                          "strategy_id", "execution_mode")
    assert metrics[(1, "live")]["positions_closed"] == 8
    assert metrics[(1, "live")]["realized_pnl"] == Decimal("90")
    # the 2025 +100 came first: cumulative 100, 110, 105, 100, 95, 115, 85, 90 -- the same 30 from 115
    assert metrics[(1, "live")]["max_drawdown"] == Decimal("30")


def test_a_range_without_closes_returns_nothing(db):
    assert closed([1, 2], datetime(2030, 1, 1), None).empty
    assert ab_positions.version_metrics(closed([1, 2], datetime(2030, 1, 1), None)).empty
    assert ab_positions.weekly_stats(closed([], None, None), "live").empty
    assert ab_positions.daily_pnl(closed([], None, None), "live").empty
    assert ab_positions.return_histogram(closed([], None, None), "live").empty


def test_weekly_running_totals(db):
    weekly = ab_positions.weekly_stats(closed([1, 2], SINCE, UNTIL), "live")
    assert list(zip(weekly.strategy_id, weekly.week.dt.date, weekly.positions)) == [
        (1, date(2026, 2, 2), 7), (2, date(2026, 2, 9), 3)]
    assert weekly.look_at.dt.date.tolist() == [date(2026, 2, 9), date(2026, 2, 16)]
    assert float(weekly.return_sum.iloc[0]) == pytest.approx(-0.2)
    assert weekly.wins.tolist() == [3, 1]


def test_weekly_totals_accumulate_across_weeks(db):
    weekly = ab_positions.weekly_stats(closed([11], None, None), "live")
    assert weekly.positions.is_monotonic_increasing
    assert int(weekly.positions.iloc[-1]) == 150
    assert len(weekly) > 10


def test_daily_cumulative_pnl(db):
    daily = ab_positions.daily_pnl(closed([1], SINCE, UNTIL), "live")
    assert daily.cumulative_pnl.tolist() == [10.0, 5.0, 0.0, -5.0, 15.0, -15.0, -10.0]
    assert daily.realized_pnl.tolist() == [10.0, -5.0, -5.0, -5.0, 20.0, -30.0, 5.0]
    assert daily.day.iloc[0] == date(2026, 2, 2)


def test_histogram_bins_are_shared_and_count_every_position(db):
    hist = ab_positions.return_histogram(closed([1, 2], SINCE, UNTIL), "live", 4)
    assert hist.groupby("strategy_id").positions.sum().to_dict() == {1: 7, 2: 3}
    assert hist.bin_low.min() == pytest.approx(-0.6) and hist.bin_high.max() == pytest.approx(0.4)
    by_bin = rows_by_key(hist, "strategy_id", "bin")
    assert by_bin[(1, 1)]["positions"] == 1          # -60%
    assert by_bin[(1, 4)]["positions"] == 2          # +20% and the highest, +40% (closed upper bound)
    assert by_bin[(2, 4)]["positions"] == 1          # +20%
    assert set(hist.bin) <= {1, 2, 3, 4}


def test_histogram_of_identical_returns_is_one_bin(db):
    hist = ab_positions.return_histogram(closed([21, 22], None, None), "live", 30)
    assert hist.bin.tolist() == [1, 1] and hist.positions.tolist() == [35, 35]


def test_stored_roi_against_recomputed(db):
    check = rows_by_key(fetch("ab_roi_check", strategy_ids=[1, 2]), "strategy_id", "execution_mode")
    # all time: 90 / 400, whatever the page's dates; the stored -0.0400 is stale
    assert check[(1, "live")]["recomputed_roi"] == Decimal("0.2250")
    assert check[(1, "live")]["stored_roi"] == Decimal("-0.0400")
    assert check[(1, "paper")]["recomputed_roi"] == Decimal("-0.1250") and check[(1, "paper")]["stored_roi"] is None
    assert check[(2, "live")]["recomputed_roi"] == Decimal("0.0448")  # 6.5 / 145
    assert check[(2, "paper")]["positions_closed"] == 0 and check[(2, "paper")]["recomputed_roi"] is None


def test_strategy_versions_in_creation_order(db):
    versions = fetch("ab_strategy_versions")
    meeting = versions[versions.strategy_name == "meeting"]
    assert meeting.strategy_version.tolist() == ["v1.0", "v1.1", "v1.2"]
    assert meeting.config.iloc[0]["min_edge"] == 0.05


def test_histogram_bins_as_postgresql_width_bucket_at_every_edge(db):
    """The bins the page's SQL made with width_bucket(float8), values on bin edges included."""
    import numpy as np
    import pandas as pd
    import psycopg2

    from queries import schema

    returns = [-0.6, -0.35, -0.1, 0.15, 0.4, 0.1 / 3, -0.2, 0.3, 0.29999999999999993, -0.5999999999999999]
    returns += [float(r) for r in np.random.default_rng(5).uniform(-0.6, 0.4, 200)]
    closed = pd.DataFrame({"position_id": range(len(returns)), "strategy_id": 1, "model_id": 1,
                           "execution_mode": "live", "fills": 2, "closed_us": 0, "ret": returns, "cost_units": 1,
                           "pnl_units": 0, "edge_units": 0, "clv_units": 0, "entry_units": 5000, "market_key": 1})
    ours = ab_positions.return_histogram(closed, "live", bins=4)
    conn = psycopg2.connect(schema.dsn(db))
    try:
        with conn.cursor() as cur:
            cur.execute("""SELECT least(width_bucket(r, lo, greatest(hi, lo + 1e-6), 4), 4) AS bin, count(*)
                           FROM unnest(%(r)s::float8[]) r,
                                (SELECT min(x) lo, max(x) hi FROM unnest(%(r)s::float8[]) x) b
                           GROUP BY 1 ORDER BY 1""", {"r": returns})
            assert list(zip(ours.bin, ours.positions)) == cur.fetchall()
    finally:
        conn.close()


def test_the_strategy_model_pairs_from_the_closed_positions_equal_version_results(db):
    """The matrix on the A/B page comes from the one read; version_results is what the Models page
    shows for the same pairs."""
    pairs = ab_positions.by_model(closed([1, 2], None, None))
    expected = fetch("version_results", strategy_name=None, model_name=None, since=None, until=None)
    expected = expected[expected.strategy_id.isin([1, 2])]
    assert len(pairs) == len(expected) > 2
    assert sorted(zip(pairs.strategy_id, pairs.model_id, pairs.execution_mode, pairs.positions_closed,
                      pairs.realized_pnl)) == sorted(zip(expected.strategy_id, expected.model_id,
                                                         expected.execution_mode, expected.positions_closed,
                                                         expected.realized_pnl))


def test_results_from_rows_in_any_order_equal_each_answer_on_rows_in_closing_order(db):
    """The page calls results() on the read as it comes (unordered); each answer on its own takes
    rows in closing order. Both paths must give the same frames."""
    import pandas as pd

    read = fetch("ab_closed_positions", strategy_ids=[1, 2, 11, 21, 22], since=None, until=None)
    shuffled = read.sample(frac=1, random_state=3).reset_index(drop=True)
    ordered = ab_positions.in_closing_order(read)
    together = ab_positions.results(shuffled, bins=7)
    assert len(read) > 10 and not together.metrics.empty
    pd.testing.assert_frame_equal(together.metrics, ab_positions.version_metrics(ordered))
    pd.testing.assert_frame_equal(together.by_model, ab_positions.by_model(ordered))
    for mode in ("live", "paper"):
        pd.testing.assert_frame_equal(together.weekly[mode], ab_positions.weekly_stats(ordered, mode))
        pd.testing.assert_frame_equal(together.daily[mode], ab_positions.daily_pnl(ordered, mode))
        pd.testing.assert_frame_equal(together.histogram[mode], ab_positions.return_histogram(ordered, mode, 7))


def test_the_bulk_read_the_page_uses_equals_the_ordinary_read(db):
    """queries.fetch_bulk (COPY as CSV) gives the rows fetch gives, with numeric columns."""
    import numpy as np

    from queries import fetch_bulk

    for ids, since in (([1, 2, 11, 21, 22], None), ([1, 2], SINCE)):
        ordinary = ab_positions.in_closing_order(fetch("ab_closed_positions", strategy_ids=ids, since=since, until=None))
        bulk = ab_positions.in_closing_order(fetch_bulk("ab_closed_positions", strategy_ids=ids, since=since,
                                                        until=None))
        assert len(bulk) == len(ordinary) > 3 and list(bulk.columns) == list(ordinary.columns)
        for column in bulk.columns:
            if column == "execution_mode":
                assert bulk[column].tolist() == ordinary[column].tolist()
            else:
                assert np.issubdtype(bulk[column].dtype, np.number)
                np.testing.assert_array_equal(bulk[column].to_numpy(dtype=float),
                                              ordinary[column].to_numpy(dtype=float, na_value=np.nan))
    empty = fetch_bulk("ab_closed_positions", strategy_ids=[1], since=datetime(2030, 1, 1), until=None)
    assert empty.empty and "closed_us" in empty.columns
    assert ab_positions.results(empty).metrics.empty


def test_the_statistics_sums_equal_numpy_on_the_rows_read(db):
    """What the statistics need beyond the table, from the same read: sums of cubes, the regression
    adjustment's sums, the extremes and the winsorized sums (against numpy on the rows)."""
    import numpy as np

    read = fetch("ab_closed_positions", strategy_ids=[11, 12, 13], since=None, until=None)
    got = ab_positions.results(read)
    live = read[read.execution_mode == "live"]
    metrics = rows_by_key(got.metrics, "strategy_id", "execution_mode")
    low, high = np.percentile(live.ret, 1, method="higher"), np.percentile(live.ret, 99, method="lower")
    for strategy_id, rows in live.groupby("strategy_id"):
        ret = rows.ret.to_numpy(dtype=float)
        assert metrics[(strategy_id, "live")]["return_sum_cube"] == pytest.approx((ret ** 3).sum())
        covariates = got.covariates["live"][strategy_id]
        x = np.stack([rows.edge_units, rows.entry_units], axis=1).astype(float) / 10_000
        assert covariates.n == len(ret)
        assert covariates.x == pytest.approx(x.sum(axis=0))
        assert covariates.xx == pytest.approx(x.T @ x)
        assert covariates.xy == pytest.approx(x.T @ ret)
        lows, highs = got.extremes["live"][strategy_id]
        assert lows.tolist() == sorted(ret)[:10] and highs.tolist() == sorted(ret, reverse=True)[:10]
        n, total, total_sq, _, total_cube = got.winsorized["live"].sums[strategy_id]
        clipped = np.clip(ret, low, high)
        assert (n, total, total_sq, total_cube) == (len(ret), pytest.approx(clipped.sum()),
                                                    pytest.approx(clipped @ clipped), pytest.approx((clipped ** 3).sum()))
    assert (got.winsorized["live"].low, got.winsorized["live"].high) == (low, high)
    weekly = got.weekly["live"]
    last = weekly.sort_values("look_at").groupby("strategy_id").tail(1).set_index("strategy_id")
    assert last.loc[12, "return_sum_cube"] == pytest.approx(metrics[(12, "live")]["return_sum_cube"])


def test_each_versions_markets_are_counted_once_week_by_week(db):
    allocation = ab_positions.results(closed([1, 2], SINCE, UNTIL)).allocation["live"]
    # alpha v1.0 closed seven positions on MC only; v1.1 closed on MO and MC in the week to 2026-02-16
    assert list(zip(allocation.strategy_id, allocation.look_at.dt.date, allocation.markets)) == [
        (1, date(2026, 2, 9), 1), (2, date(2026, 2, 16), 2)]
    # the market key is the same number for the same market and differs between markets
    read = fetch("ab_closed_positions", strategy_ids=[51, 52], since=None, until=None)
    assert read.market_key.nunique() == 130 and read.groupby("strategy_id").market_key.nunique().to_dict() == \
        {51: 100, 52: 30}


def test_restricted_to_model_versions_the_numbers_count_only_their_positions(db):
    everything = ab_positions.results(closed([1, 2], SINCE, UNTIL))
    restricted = ab_positions.results(closed([1, 2], SINCE, UNTIL), model_ids=(2,))
    # model 2 opened one position: alpha v1.1's -2.5 on $50
    assert restricted.metrics[["strategy_id", "execution_mode", "positions_closed"]].values.tolist() == [[2, "live", 1]]
    assert float(restricted.metrics.return_sum.iloc[0]) == pytest.approx(-0.05)
    # what describes the experiment still counts every position
    import pandas as pd
    pd.testing.assert_frame_equal(restricted.by_model, everything.by_model)
    pd.testing.assert_frame_equal(restricted.allocation["live"], everything.allocation["live"])


def test_trading_periods_are_each_versions_first_and_last_trade(db):
    periods = fetch("ab_trading_periods", strategy_ids=[31, 32, 999]).set_index("strategy_id")
    assert sorted(periods.index) == [31, 32]  # a version without positions has no period
    # window v1.0 closes daily at 09:00 from 2026-01-05 (opened two hours before); v1.1 from 2026-01-25
    assert periods.loc[31, "first_trade"] == datetime(2026, 1, 5, 7, 0)
    assert periods.loc[31, "last_trade"] == datetime(2026, 3, 5, 9, 0)
    assert periods.loc[32, "first_trade"] == datetime(2026, 1, 25, 7, 0)
    # alpha v1.0: its still-open position counts from its opening, its 2025 close counts too
    alpha = fetch("ab_trading_periods", strategy_ids=[1]).iloc[0]
    assert alpha.first_trade == datetime(2025, 12, 20, 10, 0) and alpha.last_trade == datetime(2026, 2, 8, 12, 0)


def test_clv_per_model_version_on_the_hand_made_positions(db):
    """CLV per model version (Models page, Live results): alpha's closed positions on the closed
    market MC bought yes at 0.50 (closing line 0.60: +10¢) or no at 0.48 (closing line 0.42: -6¢);
    the scale-in on the still-open market MO has no closing line yet and is not counted."""
    from analytics import model_metrics as mm

    results = fetch("version_results", strategy_name="alpha", model_name="elo_nfl", since=None, until=None)
    both = mm.results_per_version(results, ["v1.0", "v1.1"]).set_index("model_version")
    # model v1.0: v1.0's 7 live + 1 from 2025 + 1 paper (no) on MC, v1.1's break-even on MC and scale-in on MO
    assert (both.loc["v1.0", "positions_closed"], both.loc["v1.0", "clv_positions"]) == (11, 10)
    assert both.loc["v1.0", "avg_clv"] == pytest.approx((9 * 0.10 - 0.06) / 10)
    assert (both.loc["v1.1", "clv_positions"], both.loc["v1.1", "avg_clv"]) == (1, pytest.approx(0.10))
    live = mm.results_per_version(results, ["v1.0"], mode="live").iloc[0]
    assert (live.clv_positions, live.avg_clv) == (9, pytest.approx(0.10))
    assert mm.format_value("avg_clv", live.avg_clv) == "+10.00¢"
