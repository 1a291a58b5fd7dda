"""The Models page's admin form: the action an admin chose on the versions they saw is applied to
those versions only, and every submission ends in one sentence that says what the database holds.

Two ways a submission used to end in silence (#25): a second admin applying the same action a
moment after the first (the first one's write made the page read the new state, so the second
form, keyed by the state it was drawn on, no longer existed on the rerun), and any form drawn
before another admin's change. The form's Apply now calls `apply_form` (Streamlit runs it before
the rerun, with the form's values), which compares the state the form was drawn on with the
database's, applies only when they agree, and says who changed what when they do not.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import model_metrics as mm
from identity import NotAllowed, current_identity
from queries import models as q
from queries.connection import DatabaseUnavailable
from ui.text import literal

OUTCOME = "models_outcome"  # session key: (kind, sentence), shown once by show_outcome
# refused: the database said no; problem: nothing was sent, or nothing was left to do
SHOWN_AS = {"ok": st.success, "refused": st.error, "problem": st.warning}


def widget_keys(token: str) -> tuple[str, str, str]:
    """The keys of the form's action, reason and confirmation, for the state `token`."""
    return f"models_action_{token}", f"models_reason_{token}", f"models_confirm_{token}"


def apply_form(model: str, token: str, seen: pd.DataFrame) -> None:
    """Apply's on_click: the chosen action on `seen` (the versions the form was drawn with)."""
    action_key, reason_key, confirm_key = widget_keys(token)
    action, reason = st.session_state.get(action_key), (st.session_state.get(reason_key) or "").strip()
    if action is None:
        return _say("problem", "Choose an action first.")
    if not reason:
        return _say("problem", "Give a reason: it is recorded in the history.")
    if not st.session_state.get(confirm_key):
        return _say("problem", "Tick the confirmation box to apply the action.")
    me = current_identity()
    try:
        q.forget_lifecycle_reads()  # what the database holds now, not what this process read before
        now = q.versions(model)
        if mm.state_token(model, now) != token:
            return _say("problem", changed_since(model, seen, now, q.status_history(model)))
        request_id = f"{token}:{action.key}"  # the same click sent twice applies once
        if action.kind == "rollback":
            changes = q.rollback(model, reason, by=me, request_id=request_id)
        else:
            changes = q.transition(action.model_id, action.new_status, reason, by=me, mode=action.mode,
                                   request_id=request_id)
    except q.TransitionRefused as refusal:
        return _say("refused", f"Refused by the database: {refusal}")
    except (NotAllowed, DatabaseUnavailable) as error:
        return _say("refused", str(error))
    if any(c.applied for c in changes):
        return _say("ok", mm.describe_changes(changes))
    _say("problem", already_done(changes, q.status_history(model), me.name))


def show_outcome() -> None:
    """The last submission's sentence, once."""
    outcome = st.session_state.pop(OUTCOME, None)
    if outcome:
        SHOWN_AS[outcome[0]](literal(outcome[1]))


def _say(kind: str, sentence: str) -> None:
    st.session_state[OUTCOME] = (kind, sentence)


# --- sentences (plain functions: tests/test_models_page.py drives them through the page) ----------
def _latest(history: pd.DataFrame, version: str, status: str | None = None) -> pd.Series | None:
    rows = history[(history.version == version) & (history.action != "created")]
    if status is not None:
        rows = rows[rows.to_status == status]
    return None if rows.empty else rows.sort_values("changed_at").iloc[-1]


def _by(entry: pd.Series | None, me: str | None = None) -> str:
    if entry is None:
        return ""
    return f" by {'you' if entry.changed_by == me else entry.changed_by} at {entry.changed_at:%Y-%m-%d %H:%M:%S} UTC"


def changed_since(model: str, seen: pd.DataFrame, now: pd.DataFrame, history: pd.DataFrame) -> str:
    """'Nothing was applied: the versions of alpha changed after this form was drawn (v2 active →
    deprecated by bob at ...); choose again from the actions for what they are now.'"""
    before = dict(zip(seen.model_version, seen.status))
    changes = [f"{v} {before[v]} → {status}{_by(_latest(history, v, status))}"
               for v, status in zip(now.model_version, now.status) if v in before and before[v] != status]
    changes += [f"{v} is new ({status})" for v, status in zip(now.model_version, now.status) if v not in before]
    what = "; ".join(changes) or "another change was recorded"
    return (f"Nothing was applied: the versions of {model} changed after this form was drawn ({what}); "
            "choose again from the actions for what they are now.")


def already_done(changes, history: pd.DataFrame, me: str) -> str:
    """A submission that changed nothing: say who made the database hold what it holds."""
    if not changes:
        return "Nothing was applied: the database found nothing to change."
    done = [f"{c.model_version} {c.from_status} → {c.to_status}{_by(_latest(history, c.model_version, c.to_status), me)}"
            if c.from_status != c.to_status else
            f"{c.model_version} is already {c.to_status}{_by(_latest(history, c.model_version, c.to_status), me)}"
            for c in changes]
    return f"Nothing was applied: it was done already ({'; '.join(done)})."
