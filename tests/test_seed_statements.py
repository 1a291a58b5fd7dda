"""The seed's own example statements and query patterns run against schema.sql."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import rolled_back_cursor

STATEMENTS = Path(__file__).with_name("seed_statements.sql").read_text()
SECTIONS = re.split(r"^-- statement: (.+)$", STATEMENTS, flags=re.MULTILINE)[1:]
NAMED = list(zip(SECTIONS[0::2], SECTIONS[1::2]))


@pytest.fixture
def fresh(databases):
    """A database of its own: the seed's statements name ids 1 and 2, so sequences must start at 1."""
    with rolled_back_cursor(databases.create("seed")) as cur:
        yield cur


def test_every_seed_statement_runs_in_order(fresh):
    db = fresh
    assert len(NAMED) >= 25
    results = {}
    for name, sql in NAMED:
        db.execute(sql)
        results[name] = db.fetchall() if db.description else db.rowcount
    assert len(results["query pattern features for a team at a point in time"]) == 3
    assert [r[0] for r in results["query pattern compare training runs"]] == [1]
    edges = results["query pattern active edges above threshold"]
    assert len(edges) == 1
    (pnl_row,) = results["query pattern position P&L with trailing stop state"]
    assert pnl_row[-2:] == ("true", "0.55")
    assert len(results["query pattern trade attribution"]) == 1
    ab = results["query pattern A/B test strategy versions"]
    assert [(r[1], r[3]) for r in ab] == [("v1.1", 0), ("v1.0", 1)]
    models = results["query pattern compare model performance"]
    assert [(r[1], r[4]) for r in models] == [("v1.1", 1), ("v1.0", 0)]


def test_the_seed_position_pnl_query_as_written_cannot_run(db):
    """Kept as evidence for the comment in seed_statements.sql."""
    import psycopg2

    as_written = """
        SELECT p.*, SUM(t.quantity * t.price) as total_cost,
               p.quantity * m.yes_price - total_cost as unrealized_pnl
        FROM positions p JOIN trades t ON p.position_id = t.position_id
        JOIN markets m ON p.market_id = m.market_id AND m.row_current_ind = TRUE
        WHERE p.row_current_ind = TRUE AND p.status = 'open' GROUP BY p.position_id"""
    with pytest.raises(psycopg2.errors.UndefinedColumn):
        db.execute(as_written)
