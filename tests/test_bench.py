"""The benchmark's wire floor (bench/measure.py): every statement a page sends is sent again from a
bare client, the way the page sends it; and its Chromium yardsticks (bench/browser.py)."""
from __future__ import annotations

import pytest

from tests.browser import chromium_page, streamlit_server, wait_for_app
from tests.test_query_plans import point_app_at_module  # noqa: F401 (fixture)


def test_the_wire_floor_sends_every_statement_of_the_page(demo_url, point_app_at_module):  # noqa: F811
    from bench import cases, measure

    question = next(q for q in cases.questions() if q.page == "Strategy A/B")
    statements = measure.page_statements(question)
    assert statements.bulk == {"ab_closed_positions", "ab_position_segments"}  # the page reads them through COPY
    wire = measure.wire_floor(question, demo_url, runs=2)
    assert [key.split("#")[0] for key in wire["statements"]] == [name for name, _ in statements]
    refused = {key: part for key, part in wire["statements"].items() if "statement" in part}
    assert refused == {} and all(part["ms"] > 0 for part in wire["statements"].values())
    assert wire["ms"] == sum(part["ms"] for part in wire["statements"].values())


@pytest.mark.browser
def test_each_yardstick_opens_on_the_page_it_names():
    """The Chromium part times each yardstick until its title is drawn; the linked one must be
    reached through its own link, past Streamlit's look for a server under that path."""
    from bench.browser import LINKED, YARDSTICKS

    for name, (script, title, path) in YARDSTICKS.items():
        with streamlit_server({}, script=script) as base, chromium_page() as page:
            requested = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{base}/{path}")
            wait_for_app(page)
            assert page.get_by_role("heading", name=title, exact=True).count() == 1, name
            looked_under_the_link = any(url.startswith(f"{base}/linked/_stcore/health") for url in requested)
            assert looked_under_the_link == (name == LINKED), name
