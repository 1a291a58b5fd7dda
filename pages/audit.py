"""Attribution audit: the trades and positions whose history contradicts itself, counted per kind,
each finding linked to its trade or position."""
from urllib.parse import quote, urlencode

import streamlit as st

from analytics import audit as aa
from queries import audit
from ui import summaries, url_state
from ui.text import cells
from ui.shell import run_inside_app
from ui.url_state import UrlState

run_inside_app()

WHEN = "YYYY-MM-DD HH:mm:ss"


def link_to(subject: str, subject_id: int) -> str:
    """The page that shows the row: a trade on Trade attribution, a position's timeline on Position exits."""
    if subject == "trade":
        return "trades?" + urlencode({"trade": int(subject_id)})
    return "exits?" + urlencode({url_state.TAB: "One position", "position": int(subject_id)}, quote_via=quote)


st.title("Attribution audit")
st.caption("Trades and positions whose recorded history contradicts itself: an edge computed after the trade it "
           "triggered, a trade older than its version, an entry by a version that by its recorded lifecycle could "
           "not trade then (or only on paper), a trade whose edge names other versions, a position whose trades do "
           "not add up. Each row on its own keeps the database's rules; together they do not.")

kinds = aa.summary(audit.counts())
found = int(kinds.findings.sum())
if found:
    st.warning(f"{found} findings of {int((kinds.findings > 0).sum())} kinds.", icon=":material/rule:")
else:
    st.success("No trade or position contradicts its history.", icon=":material/check_circle:")
summaries.stored_caption("attribution_faults_stored")
st.dataframe(kinds, hide_index=True, width="stretch", key="audit_kinds",
             column_order=["finding", "findings", "why"],
             column_config={"finding": st.column_config.TextColumn("Kind of finding", width="large"),
                            "findings": st.column_config.NumberColumn("Findings", format="%d", width="small"),
                            "why": "What it means"})

with_findings = kinds[kinds.findings > 0]
if with_findings.empty:
    st.stop()
link = UrlState()
options = with_findings.kind.tolist()
if st.session_state.get("audit_kind") not in options:
    from_link = link.text("kind", allowed=list(aa.LABELS))
    st.session_state.audit_kind = from_link if from_link in options else options[0]
link.show_problems()
kind = st.selectbox("Show the findings of", options, key="audit_kind",
                    format_func=lambda k: f"{aa.LABELS[k]} ({int(kinds.set_index('kind').findings[k])})")
url_state.write(kind=kind)

rows = audit.findings(kind)
if len(rows) >= audit.MAX_LIST_ROWS:
    st.caption(f"The newest {audit.MAX_LIST_ROWS} are listed.")
st.dataframe(cells(rows.assign(open=[link_to(s, i) for s, i in zip(rows.subject, rows.subject_id)])),
             hide_index=True, width="stretch", key="audit_findings", placeholder="—",
             column_order=["open", "subject", "happened_at", "strategy", "model", "detail"],
             column_config={
                 "open": st.column_config.LinkColumn("Row", display_text=r"(?:trade|position)=(\d+)$", width="small",
                                                     help="Opens the trade, or the position's timeline, in a new tab"),
                 "subject": "What", "happened_at": st.column_config.DatetimeColumn("When (UTC)", format=WHEN),
                 "strategy": "Strategy version", "model": "Model version",
                 "detail": st.column_config.TextColumn("Finding", width="large"),
                 "subject_id": None})
