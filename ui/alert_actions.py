"""The Alerts queue's Acknowledge, Snooze and Resolve forms: they act on exactly what is selected now.

What they act on (`targets`):
- the rows selected in the queue (each group's unresolved alerts), as the live queue last drew them;
- else the alert the link names, only once the responder has ticked "Act on alert N from the link":
  a link can be sent by anyone, and a page can be framed, so the link alone acts on nothing;
- else nothing, and the buttons are disabled.
A resolved alert is offered neither form.

The forms stand outside the queue's self-refreshing fragment, so a refresh never redraws what a
responder has open (a list, a half-written note). When a refresh changes what is selected (a
selected alert left the queue), `follow_selection` runs the whole page again, so the forms never
act on a selection that is gone; the click's callback checks once more, for a click made before
that rerun arrived.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import streamlit as st

from analytics import alerts as checks
from identity import NotAllowed, current_identity
from queries import alerts
from queries.connection import DatabaseUnavailable
from ui.text import literal

NOTE_HELP = f"At most {checks.MAX_NOTE_LENGTH} characters; tabs and line breaks are fine."
SELECTION = "alerts_selection"  # (group keys, alert ids, states) of the selected rows, set by the live queue
FOCUS = "alerts_focus"  # the alert the details show: the link's, or the first selected row's
PAGE_RUN = "alerts_page_run"  # counts the page's full runs
DRAWN = "alerts_forms_drawn"  # (page run, selection) the forms were last drawn with


TABLE_KEY = "alerts_table_key"  # the queue table's widget key now (see queue_table_key)
SHOWN = "alerts_shown_keys"  # the group keys of the rows it shows, in order


def queue_table_key(shown_keys: list[str]) -> str:
    """The queue table's widget key for the rows `shown_keys`, with the groups that were selected
    before still selected.

    A table's selection is by row position, and the browser keeps its ticks on positions: when a
    refresh changed the rows (a selected alert acknowledged elsewhere left a filtered view), the
    tick stayed on its position, now another group, and the forms acted on a group nobody chose.
    So the table gets a new key whenever its rows change, starting with the same groups ticked."""
    state = st.session_state
    key, shown = state.get(TABLE_KEY), state.get(SHOWN, [])
    if key is not None and shown == shown_keys:
        return key
    widget = state.get(key) if key else None
    keys = checks.selected_keys(list(widget["selection"]["rows"]) if widget else [], shown)
    generation = int(key.rsplit("_", 1)[1]) + 1 if key else 1
    key = f"alerts_queue_{generation}"
    state[key] = {"selection": {"rows": checks.rows_of(keys, shown_keys), "columns": [], "cells": []}}
    state[TABLE_KEY], state[SHOWN] = key, shown_keys
    return key


def link_box_key(alert_id: int) -> str:
    return f"alerts_act_on_link_{alert_id}"


def page_run_starts() -> None:
    """Call at the top of every full run of the page (not in fragment runs)."""
    st.session_state[PAGE_RUN] = st.session_state.get(PAGE_RUN, 0) + 1


def follow_selection(selection: tuple) -> None:
    """In the live queue, after it has stored `selection`: when the forms were drawn in the page's
    last full run for another selection, run the page again (a fragment's own run cannot redraw
    them). In a full run the forms are drawn after the queue, so nothing is compared there."""
    st.session_state[SELECTION] = selection
    drawn_in, drawn_for = st.session_state.get(DRAWN, (None, None))
    if drawn_in == st.session_state.get(PAGE_RUN) and drawn_for != selection:
        st.rerun()


def targets() -> tuple[tuple[int, ...], pd.Series | None]:
    """(alert ids the forms act on, the link's alert when they act on it)."""
    _, selected_ids, _ = st.session_state.get(SELECTION, ((), (), ()))
    if selected_ids:
        return tuple(selected_ids), None
    focus = st.session_state.get(FOCUS)
    if focus is not None and st.session_state.get(link_box_key(focus)):
        alert = alerts.detail(focus)
        if alert is not None and pd.isna(alert.resolved_at):
            return (focus,), alert
    return (), None


def forms() -> None:
    """The responder's controls for what is selected now, and what the last action did."""
    selection = st.session_state.get(SELECTION, ((), (), ()))
    _, selected_ids, states = selection
    focus = st.session_state.get(FOCUS)
    if not selected_ids:
        linked = alerts.detail(focus) if focus is not None else None
        if linked is not None and pd.notna(linked.resolved_at):
            st.info(literal(f"Alert {focus} is resolved ({linked.resolution_action}, by {linked.resolved_by}): there "
                            "is nothing to acknowledge or resolve."), icon=":material/task_alt:")
            return _done(selection)
        if linked is not None:
            st.checkbox(f"Act on alert {focus} from the link", key=link_box_key(focus),
                        help="The link names this alert; nothing is done to it until you tick this box or select "
                             "rows in the queue.")
    acting_on, linked = targets()
    if selected_ids:
        st.caption(f"Selected: {len(states)} group(s), {len(acting_on)} unresolved alert(s); "
                   "acting on a group acts on each of its alerts.")
    elif linked is not None:
        st.caption(f"Acting on alert {focus} from the link, as you ticked.")
    else:
        st.caption("Select one or more rows to acknowledge, snooze or resolve them.")
    unacknowledged = (any(s != "acknowledged" for s in states) if selected_ids
                      else linked is not None and pd.isna(linked.acknowledged_at))
    with st.form("alerts_ack_form"):
        # No max_chars: Streamlit would cut a longer note silently; the page says so instead.
        st.text_area("Acknowledge, with a note (optional)", key="alerts_ack_note", height=80,
                     placeholder="What you are doing about it", help=NOTE_HELP)
        st.form_submit_button("Acknowledge", type="primary", icon=":material/pan_tool:",
                              on_click=_acknowledge, args=(acting_on,), disabled=not unacknowledged)
    with st.form("alerts_snooze_form"):
        st.selectbox("Snooze for", list(alerts.SNOOZE_FOR), index=1, key="alerts_snooze_for",
                     format_func=lambda k: alerts.SNOOZE_FOR[k][0])
        st.text_input("Reason (required)", key="alerts_snooze_reason", placeholder="Why it can wait",
                      help="The alert leaves the queue and comes back by itself when the time passes. " + NOTE_HELP)
        st.form_submit_button("Snooze", icon=":material/snooze:", on_click=_snooze, args=(acting_on,),
                              disabled=not acting_on)
    with st.form("alerts_resolve_form"):
        st.selectbox("Resolve as", alerts.RESOLUTION_ACTIONS, index=None, key="alerts_resolution",
                     placeholder="Choose a resolution action", format_func=lambda a: a.replace("_", " "))
        st.text_area("Notes (optional)", key="alerts_resolve_note", height=80, help=NOTE_HELP)
        st.form_submit_button("Resolve", icon=":material/task_alt:",
                              on_click=_resolve, args=(acting_on,), disabled=not acting_on)
    _done(selection)


def _done(selection: tuple) -> None:
    show_result()
    st.session_state[DRAWN] = (st.session_state.get(PAGE_RUN), selection)


# --- the callbacks (they run before the rerun that shows their outcome) ---------------------------
def _report(verb: str, outcomes: list[tuple[str, str]]) -> None:
    st.session_state["alerts_result"] = (verb, outcomes)


def _changed(verb: str, alert_ids: tuple[int, ...]) -> bool:
    """True (and says so) when what the forms act on is no longer what the button was drawn for."""
    if not alert_ids or alert_ids != targets()[0]:
        _report(verb, [("refused", "Nothing was done: what is selected changed before the click (or nothing is "
                                   "selected); check the selection and click again.")])
        return True
    return False


def _acknowledge(alert_ids: tuple[int, ...]) -> None:
    if _changed("acknowledged", alert_ids):
        return
    note = st.session_state.get("alerts_ack_note") or ""
    problem = checks.note_problem(note)
    if problem:
        return _report("acknowledged", [("refused", problem)])
    try:
        outcomes = alerts.acknowledge(alert_ids, current_identity(), note.strip() or None)
    except (DatabaseUnavailable, NotAllowed) as error:
        return _report("acknowledged", [("error", str(error))])
    _report("acknowledged", [(o.outcome, o.message) for o in outcomes])
    if any(o.done for o in outcomes):
        st.session_state["alerts_ack_note"] = ""


def _snooze(alert_ids: tuple[int, ...]) -> None:
    if _changed("snoozed", alert_ids):
        return
    reason = st.session_state.get("alerts_snooze_reason") or ""
    hours = alerts.SNOOZE_FOR.get(st.session_state.get("alerts_snooze_for"), alerts.SNOOZE_FOR["1h"])[1]
    problem = checks.note_problem(reason) or (None if reason.strip() else "Say why the alert can wait: a snooze needs "
                                                                            "a reason.")
    if problem:
        return _report("snoozed", [("refused", problem)])
    # The end is computed here and checked by the database (in the future, at most 7 days away).
    until = (datetime.now(timezone.utc) + timedelta(hours=hours)).replace(tzinfo=None, microsecond=0)
    try:
        outcomes = alerts.snooze(alert_ids, current_identity(), until, reason.strip())
    except (DatabaseUnavailable, NotAllowed) as error:
        return _report("snoozed", [("error", str(error))])
    _report("snoozed", [(o.outcome, o.message) for o in outcomes])
    if any(o.done for o in outcomes):
        st.session_state["alerts_snooze_reason"] = ""


def _resolve(alert_ids: tuple[int, ...]) -> None:
    if _changed("resolved", alert_ids):
        return
    note = st.session_state.get("alerts_resolve_note") or ""
    action = st.session_state.get("alerts_resolution")
    problem = checks.resolution_problem(action) or checks.note_problem(note)
    if problem:
        return _report("resolved", [("refused", problem)])
    try:
        outcomes = alerts.resolve(alert_ids, current_identity(), action, note.strip() or None)
    except (DatabaseUnavailable, NotAllowed) as error:
        return _report("resolved", [("error", str(error))])
    _report("resolved", [(o.outcome, o.message) for o in outcomes])
    if any(o.done for o in outcomes):
        st.session_state["alerts_resolve_note"] = ""
        st.session_state["alerts_resolution"] = None


def show_result() -> None:
    verb, outcomes = st.session_state.get("alerts_result", (None, []))
    success, others = checks.summarise_outcomes(outcomes, verb or "")
    if success:
        st.success(literal(success), icon=":material/check_circle:")
    for message in others:
        st.warning(literal(message), icon=":material/info:")
