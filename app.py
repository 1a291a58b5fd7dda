"""Precog analytics dashboard: the entry point (`streamlit run app.py`).

st.navigation runs first and unconditionally: with a pages/ folder present, Streamlit would
otherwise switch to its legacy multipage mode (and see ui/shell.py for a deep link that is a
fresh server's first request).
"""
import streamlit as st

from identity import SecretsUnreadable, current_identity, oidc_provider
from queries.connection import DatabaseUnavailable, describe_database
from ui import refresher
from ui.text import literal

st.set_page_config(page_title="Precog analytics", page_icon="📈", layout="wide")

page = st.navigation(
    {
        "Monitor": [
            st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
            st.Page("pages/alerts.py", title="Alerts", icon=":material/notifications_active:"),
            st.Page("pages/exits.py", title="Position exits", icon=":material/logout:"),
        ],
        "Versions": [
            st.Page("pages/models.py", title="Model versions", icon=":material/model_training:"),
            st.Page("pages/ab_tests.py", title="Strategy A/B", icon=":material/compare_arrows:"),
        ],
        "Attribution": [
            st.Page("pages/edges.py", title="Current edges", icon=":material/trending_up:"),
            st.Page("pages/trades.py", title="Trade attribution", icon=":material/account_tree:"),
        ],
    }
)

try:
    me = current_identity()
except SecretsUnreadable as error:
    st.error(str(error), icon=":material/lock:")
    st.stop()
with st.sidebar:
    st.caption(f"Database: {describe_database()}")
    st.caption(f"Acting as {literal(me.label)}")
    if me.source == "oidc" and me.signed_in:
        st.button("Sign out", on_click=st.logout, key="sign_out")

if me.source == "oidc" and not me.signed_in:
    # With OIDC configured the data is for signed-in people only.
    st.title("Precog analytics")
    st.info("Sign in to open the dashboard.")
    st.button("Sign in", on_click=st.login, args=(oidc_provider(),), type="primary", key="sign_in")
    st.stop()

refresher.start()  # keeps the stored answers fresh while this process runs (once per process)

try:
    page.run()
except DatabaseUnavailable as error:
    # One sentence that says what is wrong and how to fix it; never a traceback.
    st.error(str(error), icon=":material/database_off:")
