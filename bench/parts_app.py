"""A third yardstick for page-ready times: the kinds of elements the dashboard's pages are made of
(sidebar navigation with icons, date and select filters, tabs, metrics, one chart, one table),
with no data and no database. Each kind costs a new session its own code and rendering, so this
is about the least a page with these parts can take."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st


def parts() -> None:
    st.title("Dashboard parts")
    st.caption("Filters, tabs, metrics, a chart and a table, as a dashboard page lays them out.")
    row = st.columns(5)
    row[0].date_input("From", value=None, format="YYYY-MM-DD")
    row[1].date_input("To", value=None, format="YYYY-MM-DD")
    for number, column in enumerate(row[2:], start=1):
        column.selectbox(f"Filter {number}", [None, "a", "b"], placeholder="All")
    first, _ = st.tabs(["First", "Second"], key="tab", on_change="rerun")
    with first:
        for number, column in enumerate(st.columns(4), start=1):
            column.metric(f"Metric {number}", number)
        frame = pd.DataFrame({"day": pd.date_range("2026-01-01", periods=50), "value": range(50)})
        st.plotly_chart(go.Figure(go.Scatter(x=frame.day, y=frame.value, mode="lines")), width="stretch")
        st.dataframe(frame, hide_index=True, width="stretch")


def other() -> None:
    st.title("Other")


st.set_page_config(page_title="Dashboard parts", layout="wide")
st.navigation({"Section": [st.Page(parts, title="Parts", icon=":material/dashboard:", default=True),
                           st.Page(other, title="Other", icon=":material/logout:")]}).run()
