"""Make every page run inside app.py's shell, even when a deep link is the server's first request.

Why: Streamlit decides once per server process, at its first session, whether the app uses the
legacy `pages/` directory mode (it does when a `pages/` folder exists), and only `st.navigation`
clears that. So when the first request after a start is a link like `/alerts?severity=critical`,
Streamlit runs pages/alerts.py on its own: no app.py, no wide layout, no sidebar database line,
no one-sentence database errors. Every page calls `run_inside_app()` first; in that legacy run
it switches the mode off and reruns, and the rerun executes app.py, whose st.navigation resolves
the same URL path (with its query parameters) to the same page.

Uses Streamlit's PagesManager flag (pinned version in requirements.txt); tests/test_shell.py and
the browser tests catch a change.
"""
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


SWITCHED = "_shell_left_legacy_mode"


def run_inside_app() -> None:
    # Once per session: on a server the switch holds for the whole process after the first time.
    # (AppTest resets Streamlit's flag before every run; rerunning each time would swallow the
    # button clicks of later runs, which then run the page directly, as AppTest always did.)
    if PagesManager.uses_pages_directory and not st.session_state.get(SWITCHED):
        st.session_state[SWITCHED] = True
        PagesManager.uses_pages_directory = False
        st.rerun()
