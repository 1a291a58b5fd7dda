"""The benchmark's wire floor (bench/measure.py): every statement a page sends is sent again from a
bare client, the way the page sends it."""
from __future__ import annotations

from tests.test_query_plans import point_app_at_module  # noqa: F401 (fixture)


def test_the_wire_floor_sends_every_statement_of_the_page(demo_url, point_app_at_module):  # noqa: F811
    from bench import cases, measure

    question = next(q for q in cases.questions() if q.page == "Strategy A/B")
    statements = measure.page_statements(question)
    assert statements.bulk == {"ab_closed_positions"}  # the page reads it through COPY
    wire = measure.wire_floor(question, demo_url, runs=2)
    assert [key.split("#")[0] for key in wire["statements"]] == [name for name, _ in statements]
    refused = {key: part for key, part in wire["statements"].items() if "statement" in part}
    assert refused == {} and all(part["ms"] > 0 for part in wire["statements"].values())
    assert wire["ms"] == sum(part["ms"] for part in wire["statements"].values())
