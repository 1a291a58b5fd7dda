"""The summaries' recompute functions (schema.sql, `*_recompute(keys[])`) stay linear in the number
of keys a statement touched.

A SQL function's statements run on a generic plan: the key array is a parameter, never a value
the planner sees, so it expects a few keys and, on big tables, loops over index scans. Where the
array also sits in the condition of a scan that loops once per outer row (the inner side of a
nested loop, a subplan, next to the join key), every rescan sorts it again: quadratic in the keys.
At ten years the summaries' fill went from seconds to hours that way (exit facts of 44.5K
positions: over 240 s, against 0.7 s for 8.8K).

The demo database is small enough that the planner hashes instead, so each statement's generic
plan is taken with the planner steered to what it picks at ten years (nested loops over index
scans) and searched for the array next to an outer row's column. Plans, not timings.
"""
from __future__ import annotations

import re

import pytest

from tests.conftest import rolled_back_cursor

KEY_PARAMETER = re.compile(r"\b(p_ids|p_market_ids)\b")
# ANY over the function's parameter ($1 once the statement is prepared), as EXPLAIN prints it,
# and a comparison with another relation's column (the outer row's, in a rescanned node).
ARRAY_CONDITION = re.compile(r"= ANY \(\(?\$1\b")
OUTER_COLUMN = re.compile(r"= \(?[a-z_]+\.[a-z_]+\b")
CONDITIONS = ("Index Cond", "Recheck Cond", "Filter", "Join Filter")
# What the planner picks at ten years for a generic plan of few expected keys.
BIG_DATABASE_PLANS = ("enable_hashjoin", "enable_mergejoin", "enable_seqscan", "enable_bitmapscan", "enable_material")


def rescanned_array_conditions(plan: dict, rescanned: bool = False) -> list[str]:
    """Each condition on the key array beside an outer row's column, in a node that runs once per
    outer row."""
    found = [f"{plan['Node Type']} on {plan.get('Relation Name', '?')}: {plan[c]}"
             for c in CONDITIONS
             if rescanned and ARRAY_CONDITION.search(str(plan.get(c, ""))) and OUTER_COLUMN.search(str(plan.get(c, "")))]
    for number, child in enumerate(plan.get("Plans", [])):
        inner = (plan["Node Type"] == "Nested Loop" and number == 1) or child.get("Parent Relationship") == "SubPlan"
        found += rescanned_array_conditions(child, rescanned or inner)
    return found


def recompute_statements(cur) -> list[tuple[str, str, str]]:
    """(function, argument type, statement with the key array as $1) of every recompute function."""
    cur.execute("SELECT p.proname, format_type(p.proargtypes[0], NULL), p.prosrc FROM pg_proc p"
                " JOIN pg_language l ON l.oid = p.prolang"
                " WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE '%\\_recompute'"
                " AND l.lanname = 'sql' AND p.pronargs = 1 ORDER BY 1")
    statements = []
    for name, argument_type, body in cur.fetchall():
        for statement in re.split(r";\s*\n", body):
            if statement.strip().strip(";").strip():
                statements.append((name, argument_type, KEY_PARAMETER.sub("$1", statement.strip().rstrip(";"))))
    return statements


@pytest.fixture(scope="module")
def cursor(demo_url):
    with rolled_back_cursor(demo_url) as cur:
        yield cur


def generic_plan(cur, argument_type: str, statement: str) -> dict:
    cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    for setting in BIG_DATABASE_PLANS:
        cur.execute(f"SET LOCAL {setting} = off")
    cur.execute(f"PREPARE recompute_check({argument_type}) AS {statement}")
    try:
        cur.execute("EXPLAIN (FORMAT JSON) EXECUTE recompute_check(NULL)")
        return cur.fetchone()[0][0]["Plan"]
    finally:
        cur.execute("DEALLOCATE recompute_check")


def test_every_summary_has_its_recompute_statements(cursor):
    names = {name for name, _, _ in recompute_statements(cursor)}
    assert names == {"calibration_points_recompute", "edge_decay_recompute", "exit_facts_recompute",
                     "exit_orders_recompute", "market_closes_recompute", "position_facts_recompute",
                     "order_slippage_recompute", "exit_excursions_recompute"}


def test_no_recompute_statement_searches_its_keys_again_for_every_row(cursor):
    problems = []
    for name, argument_type, statement in recompute_statements(cursor):
        problems += [f"{name}: {found}" for found in
                     rescanned_array_conditions(generic_plan(cursor, argument_type, statement))]
    assert problems == []


def test_a_rescanned_array_condition_is_seen(cursor):
    """The search finds the pattern it is for: the key array repeated on the inner side of a join
    (exit_facts_recompute had it), and not the same array on the outer side alone."""
    plan = generic_plan(cursor, "int[]",
                        "SELECT 1 FROM position_facts f JOIN position_exits pe ON pe.position_id = f.position_id"
                        " WHERE f.position_id = ANY ($1) AND pe.position_id = ANY ($1)")
    assert rescanned_array_conditions(plan)
    plan = generic_plan(cursor, "int[]",
                        "SELECT 1 FROM position_facts f JOIN position_exits pe ON pe.position_id = f.position_id"
                        " WHERE f.position_id = ANY ($1)")
    assert rescanned_array_conditions(plan) == []
