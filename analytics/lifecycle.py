"""What was live at a moment, for model and strategy versions alike: the recorded lifecycle's
answer, what the versions actually traded that day, and one sentence where the two disagree.
Pure functions over the rows of queries/versions_as_of.sql."""
from __future__ import annotations

from datetime import datetime

import pandas as pd

# The statuses in which a version trades (schema.sql, version_trading_mode): live while active,
# on paper while a model validates or a strategy is tested.
PAPER_STATUS = {"model": "validating", "strategy": "testing"}


def _when(moment) -> str:
    return f"{pd.Timestamp(moment):%Y-%m-%d %H:%M}"


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def headline(kind: str, name: str, rows: pd.DataFrame, at: datetime) -> tuple[str, bool]:
    """(sentence, whether some version was active): the recorded lifecycle's answer at `at`."""
    active = rows[rows.status == "active"]
    paper = rows[rows.status == PAPER_STATUS[kind]]
    on_paper = ", ".join(f"{r.version} ({r.status} since {_when(r.since)})" for r in paper.itertuples())
    if active.empty:
        sentence = f"No version of {name} was active at {_when(at)} UTC."
        return (sentence + (f" Trading on paper only: {on_paper}." if on_paper else ""), False)
    sentence = f"At {_when(at)} UTC: " + ", ".join(f"{r.version} (active since {_when(r.since)})"
                                                   for r in active.itertuples())
    return (sentence + (f"; on paper: {on_paper}" if on_paper else "") + ".", True)


def disagreements(kind: str, rows: pd.DataFrame) -> list[str]:
    """One sentence per version whose trades that day its recorded status did not allow."""
    sentences = []
    for r in rows.itertuples():
        if r.off_status_buys:
            sentences.append(f"{r.version} made {_count(int(r.off_status_buys), 'entry trade')} that day though "
                             f"its recorded status was {r.off_statuses}.")
        if r.live_paper_only_buys:
            sentences.append(f"{r.version} made {_count(int(r.live_paper_only_buys), 'live entry trade')} that day "
                             f"though it was only {r.paper_only_statuses}, which trades on paper.")
    return sentences


def table(rows: pd.DataFrame) -> pd.DataFrame:
    """The versions as the page lists them: status then ('not created yet' before it existed)."""
    return rows.assign(status=rows.status.fillna("not created yet"))[
        ["version", "status", "since", "trades", "live_trades", "paper_trades"]]
