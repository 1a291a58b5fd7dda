"""Where a strategy version wins (the A/B verdict by sport, platform, entry price and time to
expiry at entry) on a hand-made database with a known answer, against scipy's Welch test and
statsmodels' Bonferroni correction; and on the page.

The database: strategy `segments`, v1.0 (control) and v1.1, on five markets:
  NK nfl/kalshi, NP nfl/poly, BK nba/kalshi, BP nba/poly (20 positions per version each) and
  MK mlb/kalshi (5 per version: too few for a verdict).
Returns follow one pattern (-10, -5, 0, +5, +10 %, mean 0), except v1.1 on nba markets, which adds
+30 points: v1.1 wins on nba and nowhere else by design. Even positions buy at 0.50 and odd ones at
0.30 (entry-price buckets 0.40-0.60 and 0.20-0.40); the first ten of each market open 3 hours
before the event's scheduled end and the rest 48 hours before (1-6 hours, 1-7 days)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analytics import ab_positions, ab_segments, ab_stats
from queries import fetch, schema
from tests.ab_fixtures import Builder
from tests.apptest import open_page, plotted

END = datetime(2026, 5, 1, 20, 0)  # every event's scheduled end
ROWS = """
INSERT INTO platforms (platform_id, platform_type, display_name) VALUES
    ('kalshi', 'trading', 'Kalshi'), ('poly', 'trading', 'Polymarket');
INSERT INTO events (event_id, platform_id, external_id, category, subcategory, title, status, end_time) VALUES
    ('EN', 'kalshi', 'en', 'sports', 'nfl', 'NFL game', 'final', '2026-05-01 20:00'),
    ('EB', 'kalshi', 'eb', 'sports', 'nba', 'NBA game', 'final', '2026-05-01 20:00'),
    ('EM', 'kalshi', 'em', 'sports', 'mlb', 'MLB game', 'final', '2026-05-01 20:00');
INSERT INTO markets (market_id, platform_id, event_id, external_id, title, yes_price, no_price, status,
                     settlement_value, created_at, row_current_ind, row_end_ts)
SELECT k, p, e, lower(k), 'Market ' || k, 0.5000, 0.5000, 'open', NULL, timestamp '2026-04-01 00:00', FALSE, timestamp '2026-05-02 00:00'
FROM (VALUES ('NK', 'kalshi', 'EN'), ('NP', 'poly', 'EN'), ('BK', 'kalshi', 'EB'), ('BP', 'poly', 'EB'),
             ('MK', 'kalshi', 'EM')) v(k, p, e)
UNION ALL
SELECT k, p, e, lower(k), 'Market ' || k, 1.0000, 0.0000, 'settled', 1.0000, timestamp '2026-05-02 00:00', TRUE, NULL::timestamp
FROM (VALUES ('NK', 'kalshi', 'EN'), ('NP', 'poly', 'EN'), ('BK', 'kalshi', 'EB'), ('BP', 'poly', 'EB'),
             ('MK', 'kalshi', 'EM')) v(k, p, e);
INSERT INTO probability_models (model_id, model_name, model_version, model_type, sport, config, status) VALUES
    (1, 'elo_nfl', 'v1.0', 'elo', 'nfl', '{"k_factor": 28}', 'active');
INSERT INTO strategies (strategy_id, strategy_name, strategy_version, strategy_type, sport, config, status,
                        created_at) VALUES
    (81, 'segments', 'v1.0', 'entry', 'nfl', '{"min_edge": 0.05}', 'active', '2026-01-01'),
    (82, 'segments', 'v1.1', 'entry', 'nfl', '{"min_edge": 0.06}', 'active', '2026-01-01');
"""
MARKETS = {"NK": ("nfl", "kalshi", 20), "NP": ("nfl", "poly", 20), "BK": ("nba", "kalshi", 20),
           "BP": ("nba", "poly", 20), "MK": ("mlb", "kalshi", 5)}
PATTERN = (-0.10, -0.05, 0.0, 0.05, 0.10)
LIFT = 0.30


def positions():
    """(strategy_id, market, sport, platform, price, hours to expiry at entry, return) of every position."""
    out = []
    for strategy in (81, 82):
        for market, (sport, platform, count) in MARKETS.items():
            for i in range(count):
                ret = PATTERN[i % 5] + (LIFT if strategy == 82 and sport == "nba" else 0.0)
                out.append((strategy, market, sport, platform, "0.5000" if i % 2 == 0 else "0.3000",
                            3 if i < 10 else 48, round(ret, 4)))
    return out


@pytest.fixture(scope="module")
def segments_url(databases) -> str:
    url = databases.create("segments", rows=ROWS)
    conn = schema.connect(url)
    with conn, conn.cursor() as cur:
        b = Builder(cur)
        for n, (strategy, market, _, _, price, hours, ret) in enumerate(positions()):
            opened = END - timedelta(hours=hours, minutes=n % 50)
            cost = 100 * float(price)
            b.position(strategy=strategy, market=market, buys=[(price, 100)], pnl=f"{ret * cost:.4f}",
                       opened=opened, closed=opened + timedelta(hours=1))
        cur.execute("SELECT refresh_stored_answers(interval '0')")
    conn.close()
    return url


def expected_returns() -> dict[tuple[str, str], dict[int, list[float]]]:
    """Per (breakdown, segment): each version's returns, from the rows as inserted."""
    out: dict = {}
    for strategy, _, sport, platform, price, hours, ret in positions():
        for key in ((ab_segments.SPORT, sport), (ab_segments.PLATFORM, platform),
                    (ab_segments.PRICE, "0.40–0.60" if price == "0.5000" else "0.20–0.40"),
                    (ab_segments.EXPIRY, "1–6 hours" if hours == 3 else "1–7 days")):
            out.setdefault(key, {81: [], 82: []})[strategy].append(ret)
    return out


def read_verdicts(url: str, *, sequential: bool) -> ab_stats.SegmentComparison:
    closed = fetch("ab_closed_positions", strategy_ids=[81, 82], since=None, until=None)
    segments = fetch("ab_position_segments", strategy_ids=[81, 82], since=None, until=None)
    results = ab_positions.results(closed, segments=segments)
    return ab_segments.verdicts(results.segments["live"], {81: "v1.0", 82: "v1.1"}, sequential=sequential,
                                min_effect=0.05)


def test_the_query_names_each_positions_segments(segments_url, point_app_at):
    point_app_at(segments_url)
    rows = fetch("ab_position_segments", strategy_ids=[81, 82], since=None, until=None)
    assert len(rows) == 2 * 85
    assert rows.groupby("sport").size().to_dict() == {"mlb": 10, "nba": 80, "nfl": 80}
    assert rows.groupby("platform_id").size().to_dict() == {"kalshi": 90, "poly": 80}
    # opened 3 h or 48 h (and up to 49 minutes more) before the event's scheduled end
    assert sorted(set(np.floor(rows.expiry_hours.to_numpy()))) == [3.0, 48.0]
    assert fetch("ab_position_segments", strategy_ids=[81], since=datetime(2030, 1, 1), until=None).empty


def test_fixed_horizon_segments_match_scipy_and_statsmodels(segments_url, point_app_at):
    point_app_at(segments_url)
    verdicts = read_verdicts(segments_url, sequential=False)
    rows = verdicts.rows.set_index("key")
    expected = expected_returns()
    tested = {k: v for k, v in expected.items() if min(len(v[81]), len(v[82])) >= ab_stats.MIN_POSITIONS}
    assert len(tested) == 8 and verdicts.tests == 8  # nfl, nba; kalshi, poly; two prices; two expiries
    assert verdicts.level == pytest.approx(1 - 0.05 / 8)
    p_values = []
    for key, returns in tested.items():
        result = stats.ttest_ind(returns[82], returns[81], equal_var=False)
        interval = result.confidence_interval(1 - 0.05 / 8)
        row = rows.loc[[key]].iloc[0]
        assert row.estimate == pytest.approx(np.mean(returns[82]) - np.mean(returns[81]), abs=1e-9)
        assert (row.low, row.high) == (pytest.approx(interval.low, abs=1e-9), pytest.approx(interval.high, abs=1e-9))
        assert row.p_value == pytest.approx(result.pvalue, rel=1e-9)
        assert (row.positions, row.control_positions) == (len(returns[82]), len(returns[81]))
        p_values.append(result.pvalue)
    reject, adjusted, *_ = multipletests(p_values, alpha=0.05, method="bonferroni")
    for key, r, a in zip(tested, reject, adjusted):
        row = rows.loc[[key]].iloc[0]
        assert row.significant == r and row.p_adjusted == pytest.approx(a, rel=1e-9)
        assert row.significant == (row.low > 0 or row.high < 0)  # verdict and interval are one procedure
    # the known answer: v1.1 wins on nba, not on nfl
    assert rows.loc[[(ab_segments.SPORT, "nba")]].iloc[0].significant
    assert rows.loc[[(ab_segments.SPORT, "nba")]].iloc[0].low > 0
    assert not rows.loc[[(ab_segments.SPORT, "nfl")]].iloc[0].significant
    mlb = rows.loc[[(ab_segments.SPORT, "mlb")]].iloc[0]
    assert mlb.note == "too few positions: 5 and 5 (30 each)" and np.isnan(mlb.low)


def test_sequential_segments_are_the_confidence_sequence_at_the_family_level(segments_url, point_app_at):
    point_app_at(segments_url)
    verdicts = read_verdicts(segments_url, sequential=True)
    rows = verdicts.rows.set_index("key")
    returns = expected_returns()[(ab_segments.SPORT, "nba")]
    v, c = np.asarray(returns[82]), np.asarray(returns[81])
    se = np.sqrt(v.var(ddof=1) / len(v) + c.var(ddof=1) / len(c))
    tau2, alpha = 0.05 ** 2, 0.05 / verdicts.tests
    half = np.sqrt(se ** 2 * (se ** 2 + tau2) / tau2 * (2 * np.log(1 / alpha) + np.log((se ** 2 + tau2) / se ** 2)))
    row = rows.loc[[(ab_segments.SPORT, "nba")]].iloc[0]
    assert (row.low, row.high) == (pytest.approx(v.mean() - c.mean() - half), pytest.approx(v.mean() - c.mean() + half))
    assert row.significant and row.low > 0


def test_a_skewed_segment_says_why_it_has_no_verdict():
    # one long shot among 40 small returns in the version: skewness of the difference far above the limit
    small = [0.01 * (i % 3 - 1) for i in range(40)]
    control = ab_stats.Group("v1.0", 40, sum(small), sum(x * x for x in small), 13, sum(x ** 3 for x in small))
    shot = small[:-1] + [50.0]
    version = ab_stats.Group("v1.1", 40, sum(shot), sum(x * x for x in shot), 14, sum(x ** 3 for x in shot))
    note = ab_stats.segment_note(control, version)
    assert re.fullmatch(r"too skewed: skewness \d\.\d{3} > 0\.053", note), note
    segments = ab_stats.compare_segments([(("Sport", "nba"), control, version)])
    assert segments.tests == 0 and segments.rows.iloc[0].note == note


SEGMENTS_VIEW = dict(strategy="segments", versions="v1.0,v1.1", control="v1.0", trading="live", analysis="fixed",
                     **{"from": "2026-04-01", "to": "2026-05-31"})


def test_the_section_is_closed_until_asked_for_and_then_kept_in_the_link(segments_url, point_app_at):
    """Where each position traded is a read of its market: a new visitor does not pay it."""
    point_app_at(segments_url)
    at = open_page("ab_tests", **SEGMENTS_VIEW)
    assert not at.exception and not [d for d in at.dataframe if "Breakdown" in d.value.columns]
    assert "ab_chart_segments" not in [c.key for c in at.get("plotly_chart")]
    at = open_page("ab_tests", **SEGMENTS_VIEW, segments="true")
    assert not at.exception and [d for d in at.dataframe if "Breakdown" in d.value.columns]


def test_the_page_shows_each_segment_with_its_interval_and_positions(segments_url, point_app_at):
    point_app_at(segments_url)
    at = open_page("ab_tests", **SEGMENTS_VIEW, segments="true")
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Breakdown" in d.value.columns)
    nba = table[(table.Breakdown == "Sport") & (table.Segment == "nba")].iloc[0]
    assert nba["Verdict (or why none)"] == "better than the control" and (nba.Positions, nba["Control positions"]) == (40, 40)
    assert nba["Difference in mean return"] == "+30.0 pp"
    mlb = table[(table.Breakdown == "Sport") & (table.Segment == "mlb")].iloc[0]
    assert mlb["Verdict (or why none)"] == "too few positions: 5 and 5 (30 each)"
    assert list(dict.fromkeys(table.Breakdown)) == list(ab_segments.BREAKDOWNS)
    said = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "the 8 segment tests are one family" in said and "99.38%" in said
    # the chart: each tested segment's interval, v1.1's bar on nba wholly right of zero
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "ab_chart_segments")
    go.Figure(chart)  # Plotly's validator accepts it
    (trace,) = chart["data"]
    assert trace["name"] == "v1.1 − control" and len(trace["y"]) == 8
    nba = trace["y"].index("Sport: nba")
    estimate = plotted(trace["x"])[nba]
    assert estimate - plotted(trace["error_x"]["arrayminus"])[nba] > 0
