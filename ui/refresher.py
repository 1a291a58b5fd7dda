"""A background thread per dashboard process that keeps the stored answers at most a minute old
(queries/stored_answers.py). Several processes may run it: the database lets one refresh at a
time and skips answers that are fresh, so the cost is one refresh per minute per database (about
0.3 s at ten years), and one cheap call per process every REFRESH_SECONDS otherwise.

PRECOG_REFRESH_SECONDS=0 turns it off (the test suite does: its databases come and go, and the
tests call the refresh themselves)."""
from __future__ import annotations

import logging
import os
import threading
import time

import streamlit as st

from queries import DatabaseUnavailable, stored_answers

log = logging.getLogger(__name__)


def interval_seconds() -> float:
    try:
        return float(os.environ.get("PRECOG_REFRESH_SECONDS", "30"))
    except ValueError:
        return 30.0


def refresh_once() -> int | None:
    """One refresh; None when the database could not be reached or refused (logged, retried later)."""
    try:
        return stored_answers.refresh()
    except DatabaseUnavailable as problem:
        log.warning("stored answers not refreshed: %s", problem)
    except Exception:  # noqa: BLE001 -- the thread must outlive any one failure
        log.exception("stored answers not refreshed")
    return None


def _run(every: float) -> None:
    while True:
        refresh_once()
        time.sleep(every)


@st.cache_resource(show_spinner=False)
def start() -> threading.Thread | None:
    """Start the thread once per process (st.cache_resource); None when turned off."""
    every = interval_seconds()
    if every <= 0:
        return None
    thread = threading.Thread(target=_run, args=(every,), name="precog-stored-answers", daemon=True)
    thread.start()
    return thread
