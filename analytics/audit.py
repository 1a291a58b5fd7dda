"""The attribution audit's kinds of finding (schema.sql, "Attribution audit": attribution_faults)
and the counts the pages show. Pure functions."""
from __future__ import annotations

import pandas as pd

# (kind, what a finding of it is, why it matters), in the order the page lists them.
KINDS: list[tuple[str, str, str]] = [
    ("trade_before_edge", "Trade before the edge that triggered it",
     "The edge a trade names was computed after the trade: clocks disagree, or the edge was recorded late."),
    ("edge_mismatch", "Trade and its edge name different versions or markets",
     "The trade is attributed to one strategy or model version (or market) and its edge to another."),
    ("before_strategy_created", "Trade before its strategy version existed",
     "The trade is older than the strategy version it names."),
    ("before_model_created", "Trade before its model version existed",
     "The trade is older than the model version it names."),
    ("strategy_not_trading", "Entry by a strategy version that was not testing or active",
     "By its recorded lifecycle the strategy version could not trade then (draft, inactive or deprecated)."),
    ("model_not_trading", "Entry by a model version that was not validating or active",
     "By its recorded lifecycle the model version could not trade then (draft, training or deprecated)."),
    ("strategy_live_while_testing", "Live entry by a strategy version still testing",
     "A strategy version trades on paper while testing and live only once active."),
    ("model_live_while_validating", "Live entry by a model version still validating",
     "A model version trades on paper while validating and live only once active."),
    ("position_quantities", "Position whose trades do not add up to its quantity",
     "Its buys differ from its opening quantity, or buys less sells differ from what it holds now."),
    ("position_mixed", "Position whose trades name different versions or markets",
     "A position is opened by one strategy and model version on one market; its trades say otherwise."),
]
LABELS = {kind: label for kind, label, _ in KINDS}


def summary(counts: pd.DataFrame) -> pd.DataFrame:
    """Every kind in order with its findings (0 where there are none): kind, finding, findings, why."""
    found = dict(zip(counts.kind, counts.findings.astype(int))) if not counts.empty else {}
    return pd.DataFrame([(kind, label, found.get(kind, 0), why) for kind, label, why in KINDS],
                        columns=["kind", "finding", "findings", "why"])


def total(counts: pd.DataFrame) -> int:
    return 0 if counts.empty else int(counts.findings.sum())
