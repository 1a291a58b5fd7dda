"""Queries behind the Attribution audit page and the Overview's count of its findings: the
findings of attribution_faults() as stored (schema.sql, "Attribution audit"), read by index."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from queries import fetch

# A kind's list is cut here; the page says so when a list is full.
MAX_LIST_ROWS = 500


@st.cache_data(ttl=30, max_entries=2, show_spinner=False)
def counts() -> pd.DataFrame:
    """kind, findings for every kind with findings (audit_counts.sql)."""
    return fetch("audit_counts")


@st.cache_data(ttl=30, max_entries=16, show_spinner=False)
def findings(kind: str) -> pd.DataFrame:
    """The newest findings of one kind (audit_findings.sql)."""
    return fetch("audit_findings", kind=kind, max_rows=MAX_LIST_ROWS)
