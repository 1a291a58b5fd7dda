"""Database text is data on every surface (#25): with markup, addresses, a right-to-left override
and a zero-width space in every text column the pages show (tests/hostile.py), every page and tab
shows it inert: markdown bodies and labels escape it and link no address, plain text, options and
tables carry no hidden character, and Plotly specs hold it as entities. Each page must also show
some of it (else the check proves nothing). The A/B report is checked in test_ab_report.py and the
rendering in real Chromium in test_browser_hostile.py."""
from __future__ import annotations

from collections import Counter

import pytest

from tests import hostile
from tests.apptest import open_page
from tests.hostile import hostile_url  # noqa: F401  (fixture)
from tests.test_alerts_database import sql


@pytest.fixture
def hostile_app(hostile_url, point_app_at):
    return point_app_at(hostile_url)


def first(url: str, statement: str):
    return sql(url, statement)[0][0]


def views(url: str) -> list[tuple[str, dict, str | None]]:
    """(page, link parameters, session key naming the table whose first row to select) for every page and tab."""
    trade = first(url, "SELECT max(trade_id) FROM trades")
    position = first(url, "SELECT position_id FROM positions WHERE row_current_ind ORDER BY position_id DESC LIMIT 1")
    alert = first(url, "SELECT alert_id FROM alerts WHERE details IS NOT NULL ORDER BY alert_id DESC LIMIT 1")
    return [
        ("overview", {}, None),
        ("alerts", {}, "alerts_table_key"),  # the session key naming the queue table's widget key
        ("alerts", {"alert": str(alert)}, None),
        ("alerts", {"state": "snoozed"}, "alerts_table_key"),  # who snoozed it and why
        ("alerts", {"sort": "money"}, None),
        ("alerts", {"tab": "Response metrics", "metrics": "all"}, None),
        ("edges", {"min_ev": "-1"}, None),
        ("trades", {"from": "2000-01-01", "to": "2099-12-31", "trade": str(trade)}, None),
        *[("exits", {"tab": tab, **({"position": str(position)} if tab == "One position" else {})}, None)
          for tab in ("Breakdown", "Price walking", "Exit regret", "Open positions", "Reconciliation", "One position")],
        *[("models", {"tab": tab}, None)
          for tab in ("Compare", "Live results", "Calibration", "Training runs", "History", "Admin actions")],
        ("ab_tests", {"from": "2000-01-01"}, None),
    ]


def test_every_page_shows_hostile_database_text_inert(hostile_app):
    problems: list[str] = []
    shown: dict[str, Counter] = {}
    for page, params, table in views(hostile_app):
        at = open_page(page, **params)
        assert not at.exception, (page, params, [e.value for e in at.exception])
        assert not at.error, (page, params, [e.value for e in at.error])
        if table:
            at.session_state[at.session_state[table]] = {"selection": {"rows": [0], "columns": [], "cells": []}}
            at = at.run()
            assert not at.exception
        found, seen = hostile.inert_problems(at)
        problems += [f"{page} {params}: {p}" for p in found]
        shown.setdefault(page, Counter()).update(seen)
    assert problems == []
    # each surface was reached by the hostile text on the pages that draw it (the Overview shows
    # no name in options or charts; the exits charts draw exit conditions, which are codes)
    for page in shown:
        assert shown[page]["table"] > 0, (page, shown[page])
    for page in ("alerts", "edges", "trades", "exits", "models", "ab_tests"):
        assert shown[page]["plain"] > 0, (page, shown[page])
    for page in ("alerts", "edges", "models", "ab_tests"):
        assert shown[page]["chart"] > 0, (page, shown[page])
    for page in ("models", "ab_tests"):
        assert shown[page]["markdown"] > 0, (page, shown[page])
