"""A second yardstick for page-ready times: a title, one Plotly chart and one table, and nothing of
the dashboard. What Streamlit's chart and grid cost a new session by themselves (their bundles,
their rendering), beside the pages that draw several of each."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

st.title("Chart and table")
frame = pd.DataFrame({"day": pd.date_range("2026-01-01", periods=50), "value": range(50)})
st.plotly_chart(go.Figure(go.Scatter(x=frame.day, y=frame.value, mode="lines")), width="stretch")
st.dataframe(frame, hide_index=True, width="stretch")
