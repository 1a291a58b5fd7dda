"""A model's or strategy's recorded lifecycle, and what was live at a moment: one component for the
Model versions page (History tab) and the Strategy A/B page. The moment lives in the link (ui/as_of.py)."""
from __future__ import annotations

import streamlit as st

from analytics import lifecycle as al
from queries import versions
from ui.as_of import moment
from ui.text import cells, literal

WHEN = "YYYY-MM-DD HH:mm:ss"


def show(kind: str, name: str, key: str) -> None:
    """The status history of every version of `name` and, for a moment, which versions were live by
    that history beside what they traded that day; `key` prefixes the widgets' keys."""
    history = versions.timeline(kind, name)
    # from and to in one column, so the reason ("Why", free text) gets the width it needs
    st.dataframe(
        cells(history.assign(from_status=history.from_status.fillna("—"), reason=history.reason.fillna(""),
                             change=[f"{f} → {t}" if isinstance(f, str) else f"→ {t}"
                                     for f, t in zip(history.from_status, history.to_status)])),
        hide_index=True, width="stretch", key=f"{key}_history_table",
        column_order=["changed_at", "version", "change", "changed_by", "action", "reason"],
        column_config={
            "changed_at": st.column_config.DatetimeColumn("When (UTC)", format=WHEN),
            "version": st.column_config.TextColumn("Version", width="small"), "change": "Status",
            "changed_by": "Who", "action": "Action", "reason": st.column_config.TextColumn("Why", width="large"),
        },
    )
    st.caption("Each version's first entry ('created') is the status it was recorded with, at its creation "
               "time; every later change is recorded by the database as it happens.")
    st.markdown("**What was live at …**")
    at = moment(key)
    rows = versions.as_of(kind, name, at)
    sentence, any_active = al.headline(kind, name, rows, at)
    (st.success if any_active else st.info)(literal(sentence))
    for disagreement in al.disagreements(kind, rows):
        st.warning(literal(disagreement), icon=":material/history_toggle_off:")
    st.dataframe(cells(al.table(rows)), hide_index=True, width="stretch", key=f"{key}_asof_table", placeholder="—",
                 column_config={
                     "version": "Version", "status": "Recorded status then",
                     "since": st.column_config.DatetimeColumn("Since (UTC)", format="YYYY-MM-DD HH:mm"),
                     "trades": st.column_config.NumberColumn(f"Trades on {at:%Y-%m-%d}", format="%d"),
                     "live_trades": st.column_config.NumberColumn("Live", format="%d"),
                     "paper_trades": st.column_config.NumberColumn("Paper", format="%d"),
                 })
    paper = al.PAPER_STATUS[kind]
    st.caption(f"The status is the recorded lifecycle's; the trades are what each version actually traded that UTC "
               f"day (entries and exits). A version trades live while active and on paper while {paper}; exits "
               "after it stopped trading close positions it opened before.")
