"""Precog analytics dashboard: the entry point (`streamlit run app.py`, what `make run` runs).

This file is read in two ways. `streamlit run app.py` (and `uvicorn app:app`) first import it as a
module to find `app`, the ASGI application that serves the dashboard: serving.py adds the response
headers that keep other sites from framing it and refuses a configuration that would expose an
unsigned-in admin, before anything is served. Streamlit then runs it as the script of every
session (`__name__ == "__main__"`): the dashboard itself.

st.navigation runs first and unconditionally: with a pages/ folder present, Streamlit would
otherwise switch to its legacy multipage mode (and see ui/shell.py for a deep link that is a
fresh server's first request).
"""
from pathlib import Path

import streamlit as st

if __name__ != "__main__":  # imported to be served
    import serving

    serving.refuse_exposure(st.get_option("server.address"))
    # Written out as `app = st.App(...)`: `streamlit run` finds the app by reading this file's source.
    app = st.App(__file__, middleware=serving.MIDDLEWARE)
else:  # a session's run
    from identity import SecretsUnreadable, SettingRefused, current_identity, oidc_provider
    from queries.connection import DatabaseUnavailable, describe_database
    from ui import refresher
    from ui.text import literal

    MEETING_CSS = Path(__file__).with_name("ui") / "meeting.css"  # captions readable across a room

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
                st.Page("pages/audit.py", title="Attribution audit", icon=":material/rule:"),
            ],
        }
    )

    st.html(MEETING_CSS)  # style only: Streamlit puts it in the event container, where it takes no space

    try:
        me = current_identity()
    except (SecretsUnreadable, SettingRefused) as error:  # who may do what is unknown: show nothing else
        st.error(literal(error), icon=":material/lock:")
        st.stop()
    with st.sidebar:
        st.caption(f"Database: {literal(describe_database())}")
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
