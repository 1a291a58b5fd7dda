"""calibration_points (schema.sql, "Calibration points"): what each model version predicted for each
settled binary market, kept by the writers of markets and edges. It equals its from-scratch
definition on the demo data and through every write that moves it (a settlement, a late edge, a
corrected settlement, an earlier settled row arriving late, the market type changing, deletions,
a bulk load with row triggers off, two writers at once); the page's calibration statement bins the
same rows it would bin from scratch; the dashboard roles cannot write it."""
from __future__ import annotations

from datetime import timedelta

import psycopg2
import pytest
import sqlalchemy as sa

from queries import schema, sql_text, strip_comments
from tests.fixtures import MINIMAL_ROWS, second_writer_waits_for_first

# The definition, written the slow way: the predictions CTE models_calibration.sql had before the
# summary, for every version at once. A market's settlement is its first row with status
# 'settled' (by created_at, then id); a prediction is the version's last edge created before it.
FROM_SCRATCH = """
SELECT v.model_id, s.market_id, s.settled_at, s.y, e.true_win_probability AS p_model,
       e.market_implied_probability AS p_market, e.edge_id
FROM probability_models v
CROSS JOIN (SELECT DISTINCT ON (m.market_id) m.market_id, m.created_at AS settled_at, m.settlement_value AS y
            FROM markets m WHERE m.status = 'settled'
            ORDER BY m.market_id, m.created_at, m.id) s
CROSS JOIN LATERAL (SELECT e.edge_id, e.true_win_probability, e.market_implied_probability FROM edges e
                    WHERE e.model_id = v.model_id AND e.market_id = s.market_id AND e.created_at < s.settled_at
                    ORDER BY e.created_at DESC, e.edge_id DESC LIMIT 1) e
WHERE s.y IN (0, 1)
  AND EXISTS (SELECT 1 FROM markets b WHERE b.market_id = s.market_id AND b.row_current_ind
              AND coalesce(b.market_type, 'binary') = 'binary')
"""
KEPT = "SELECT model_id, market_id, settled_at, y, p_model, p_market, edge_id FROM calibration_points"


def rows(cur, sql: str) -> set[tuple]:
    cur.execute(sql)
    return set(cur.fetchall())


def assert_current(cur) -> set[tuple]:
    kept = rows(cur, KEPT)
    assert kept == rows(cur, FROM_SCRATCH)
    return kept


# --- the demo data -------------------------------------------------------------------------------
def test_the_points_equal_their_definition_on_the_demo_data(demo_url):
    conn = psycopg2.connect(schema.dsn(demo_url))
    try:
        with conn.cursor() as cur:
            kept = assert_current(cur)
            assert len(kept) > 50
            assert len({(model_id,) for model_id, *_ in kept}) > 1
            cur.execute("SELECT count(*) FROM calibration_points WHERE updated_at IS NULL")
            assert cur.fetchone()[0] == 0
    finally:
        conn.close()


def exact(row) -> list:
    return [v for v in row if not isinstance(v, float)]


def floats(result) -> list[float]:
    return [v for row in result for v in row if isinstance(v, float)]


@pytest.mark.parametrize("strategy, n_bins", [("uniform", 10), ("quantile", 20), ("quantile", 1)])
def test_the_page_statement_bins_what_it_would_bin_from_scratch(demo_url, strategy, n_bins):
    page_sql = strip_comments(sql_text("models_calibration").text)
    assert page_sql.count("JOIN calibration_points c ") == 1
    scratch_sql = page_sql.replace("JOIN calibration_points c ", f"JOIN ({FROM_SCRATCH}) c ")
    engine = sa.create_engine(sa.engine.make_url(demo_url).set(drivername="postgresql+psycopg2"))
    try:
        with engine.connect() as conn:
            names = conn.execute(sa.text("SELECT DISTINCT model_name FROM probability_models")).scalars().all()
            binned = 0
            for name in names:
                params = {"model_name": name, "n_bins": n_bins, "strategy": strategy}
                page = conn.execute(sa.text(page_sql), params).fetchall()
                scratch = conn.execute(sa.text(scratch_sql), params).fetchall()
                assert len(page) == len(scratch), name
                binned += len(page)
                # exact, but for the float sum (log loss), whose order of addition may differ
                assert [exact(r) for r in page] == [exact(r) for r in scratch], name
                assert floats(page) == pytest.approx(floats(scratch), rel=1e-12), name
            assert binned > 0
    finally:
        engine.dispose()


# --- every write that moves a point ----------------------------------------------------------------
@pytest.fixture
def minimal(db):
    db.execute(MINIMAL_ROWS)
    db.execute("INSERT INTO probability_models (model_id, model_name, model_version, model_type, sport, config, status)"
               " VALUES (2, 'elo_nfl', 'v1.1', 'elo', 'nfl', '{\"k_factor\": 30}', 'validating')")
    return db


def point(cur, model_id: int = 1):
    cur.execute("SELECT settled_at, y, p_model, p_market, edge_id FROM calibration_points"
                " WHERE model_id = %s AND market_id = 'M1'", (model_id,))
    found = cur.fetchone()
    return found and (found[0], str(found[1]), str(found[2]), str(found[3]), found[4])


def add_edge(cur, created_at, p: str, model_id: int | None = 1, edge_id: int | None = None) -> int:
    cur.execute("""INSERT INTO edges (edge_id, market_id, strategy_id, model_id, expected_value, true_win_probability,
                                      market_implied_probability, market_price, created_at, row_current_ind)
                   VALUES (coalesce(%s, nextval('edges_edge_id_seq')), 'M1', 1, %s, 0.0100, %s, 0.6000, 0.6000, %s, FALSE)
                   RETURNING edge_id""", (edge_id, model_id, p, created_at))
    return cur.fetchone()[0]


def new_current_market_row(cur, created_at, status: str, settlement=None, market_type=None) -> None:
    """The seed's SCD order inside one transaction: retire the current row, insert the new one."""
    cur.execute("UPDATE markets SET row_current_ind = FALSE, row_end_ts = %s WHERE market_id = 'M1' AND row_current_ind",
                (created_at,))
    cur.execute("""INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, market_type,
                                        yes_price, no_price, status, settlement_value, created_at)
                   VALUES ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', %s, 1.0000, 0.0000, %s, %s, %s)""",
                (market_type, status, settlement, created_at))


def test_points_follow_settlements_late_edges_and_the_market_type(minimal):
    cur = minimal
    cur.execute("SELECT created_at FROM edges WHERE edge_id = 1")
    edge_at = cur.fetchone()[0]
    settled_at = edge_at + timedelta(days=1)
    assert point(cur) is None and assert_current(cur) == set()  # open: no point

    # the market settles (at 1): the version's only edge is its prediction, and the market's price in it
    new_current_market_row(cur, settled_at, "settled", settlement="1.0000")
    assert point(cur) == (settled_at, "1.0000", "0.6800", "0.5940", 1)
    assert_current(cur)

    # a settlement corrected in place to 0.5 takes the market out; corrected back, it returns
    cur.execute("UPDATE markets SET settlement_value = 0.5000 WHERE market_id = 'M1' AND row_current_ind")
    assert point(cur) is None
    assert_current(cur)
    cur.execute("UPDATE markets SET settlement_value = 1.0000 WHERE market_id = 'M1' AND row_current_ind")
    assert point(cur) == (settled_at, "1.0000", "0.6800", "0.5940", 1)

    # an edge loaded after the settlement but created before it is the newer prediction
    late = add_edge(cur, settled_at - timedelta(hours=1), "0.7000")
    assert point(cur)[2:] == ("0.7000", "0.6000", late)
    assert_current(cur)
    # at the same instant the higher edge_id wins; an edge created after the settlement never counts
    tie = add_edge(cur, settled_at - timedelta(hours=1), "0.7100")
    add_edge(cur, settled_at + timedelta(minutes=1), "0.9900")
    add_edge(cur, settled_at - timedelta(minutes=1), "0.9800", model_id=None)  # no version: no point
    assert point(cur)[2:] == ("0.7100", "0.6000", tie)
    assert_current(cur)

    # another version's edge is another point; deleting it removes that point
    other = add_edge(cur, settled_at - timedelta(hours=2), "0.4000", model_id=2)
    assert point(cur, 2)[2:] == ("0.4000", "0.6000", other)
    assert_current(cur)
    cur.execute("DELETE FROM edges WHERE edge_id = %s", (other,))
    assert point(cur, 2) is None
    assert_current(cur)

    # an edge moved in place to just before the settlement becomes the prediction
    cur.execute("UPDATE edges SET created_at = %s WHERE edge_id = 1", (settled_at - timedelta(minutes=30),))
    assert point(cur)[2:] == ("0.6800", "0.5940", 1)
    assert_current(cur)

    # an earlier settled row that arrives late (as history) is the settlement: at 0, two hours
    # before, so the edges after it no longer count
    cur.execute("""INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price,
                                        status, settlement_value, created_at, row_current_ind, row_end_ts)
                   VALUES ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', 0.0000, 1.0000, 'settled', 0.0000,
                           %s, FALSE, %s)""", (settled_at - timedelta(hours=2), settled_at))
    assert point(cur) is None  # edge 1 now stands at 30 minutes before the old settlement: after the new one
    cur.execute("UPDATE edges SET created_at = %s WHERE edge_id = 1", (edge_at,))
    assert point(cur) == (settled_at - timedelta(hours=2), "0.0000", "0.6800", "0.5940", 1)
    assert_current(cur)
    cur.execute("DELETE FROM markets WHERE market_id = 'M1' AND settlement_value = 0.0000")
    assert point(cur) == (settled_at, "1.0000", "0.7100", "0.6000", tie)
    assert_current(cur)

    # the current row decides the market type: a categorical market has no points
    new_current_market_row(cur, settled_at + timedelta(hours=1), "settled", settlement="1.0000",
                           market_type="categorical")
    assert point(cur) is None
    assert_current(cur)
    cur.execute("UPDATE markets SET market_type = 'binary' WHERE market_id = 'M1' AND row_current_ind")
    assert point(cur) == (settled_at, "1.0000", "0.7100", "0.6000", tie)
    assert_current(cur)

    # emptying the markets table leaves nothing to calibrate on
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks run first: TRUNCATE waits for none
    cur.execute("TRUNCATE markets")
    assert assert_current(cur) == set()


def test_a_bulk_load_with_row_triggers_off_keeps_the_points(minimal):
    cur = minimal
    cur.execute("SELECT created_at FROM edges WHERE edge_id = 1")
    settled_at = cur.fetchone()[0] + timedelta(days=1)
    cur.execute("SET LOCAL session_replication_role = replica")
    new_current_market_row(cur, settled_at, "settled", settlement="0.0000")
    add_edge(cur, settled_at - timedelta(hours=1), "0.3000", model_id=2)
    assert point(cur)[:3] == (settled_at, "0.0000", "0.6800")
    assert point(cur, 2)[2] == "0.3000"
    assert_current(cur)


def test_two_writers_of_one_market_at_once_both_reach_its_point(databases):
    """Two late edges of one settled market from two transactions: without the per-market lock the
    second recomputes without the first's (newer) edge and overwrites the point with its own."""
    url = databases.create("calibration_race", rows=MINIMAL_ROWS + """
        UPDATE markets SET row_current_ind = FALSE, row_end_ts = '2100-01-01' WHERE market_id = 'M1' AND row_current_ind;
        INSERT INTO markets (market_id, platform_id, event_id, external_id, ticker, title, yes_price, no_price,
                             status, settlement_value, created_at)
        VALUES ('M1', 'kalshi', 'EV1', 'm1', 'M1', 'Will KC win?', 1.0000, 0.0000, 'settled', 1.0000, '2100-01-01');
    """)
    first = psycopg2.connect(schema.dsn(url))
    try:
        with first.cursor() as cur:
            newer = add_edge(cur, "2099-12-31 23:00", "0.7000")  # not committed yet
        second_writer_waits_for_first(url, first, lambda cur: add_edge(cur, "2099-12-31 22:00", "0.6500"))
        with first.cursor() as cur:
            assert point(cur)[2:] == ("0.7000", "0.6000", newer)
            assert_current(cur)
    finally:
        first.close()
