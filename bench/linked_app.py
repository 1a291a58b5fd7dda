"""A fourth yardstick for page-ready times: an empty page reached by its own link, as every
dashboard page but the Overview is (`/alerts`, `/ab_tests?...`). Streamlit's front end first
looks for the server under the link's path (`/linked/_stcore/health`), and only after that fails
and a 100 ms retry delay under the root, so a deep link costs any Streamlit app that much before
its websocket opens. The sidebar lists both pages, as the dashboard's lists its seven."""
import streamlit as st


def home() -> None:
    st.title("Home")


def linked() -> None:
    st.title("Linked page")


st.navigation([st.Page(home, title="Home", default=True), st.Page(linked, title="Linked page", url_path="linked")]).run()
