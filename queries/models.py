"""Queries and writes behind the Model versions page.

Versions, their status history and the rollback preview are read from the primary: after an
admin's transition the page must show it at once. Everything else may come from a replica.

Writes are one database function call each (`transition_model_status`, `rollback_model`): the
database checks the lifecycle, applies the change and records it, and refuses what is illegal with
a sentence, which is what the page shows. A request id makes a repeated call apply once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import streamlit as st
from sqlalchemy import exc as sa_exc

from identity import Identity, require
from queries import fetch, fetch_primary, write

# SQLSTATEs the lifecycle functions and triggers raise for a refusal a person can act on:
# check_violation (illegal transition), invalid_parameter_value (bad input), no_data_found
# (unknown version, nothing to roll back to).
REFUSALS = {"23514", "22023", "P0002"}
MAX_REASON = 500


class TransitionRefused(Exception):
    """The database refused a status change; str(error) is the sentence to show."""


@dataclass(frozen=True)
class Change:
    model_id: int
    model_version: str
    from_status: str
    to_status: str
    applied: bool


def _sentence(error: sa_exc.DBAPIError) -> str:
    diag = getattr(error.orig, "diag", None)
    primary = (getattr(diag, "message_primary", None) or str(error.orig)).strip()
    hint = getattr(diag, "message_hint", None)
    text = primary  # not capitalised: it may begin with a model name
    if not text.endswith("."):
        text += "."
    return f"{text} {hint}" if hint else text


def _refusal(error: sa_exc.DBAPIError) -> TransitionRefused | None:
    if getattr(error.orig, "pgcode", None) in REFUSALS:
        return TransitionRefused(_sentence(error))
    return None


# --- reads ------------------------------------------------------------------------------------
@st.cache_data(ttl=60, max_entries=4, show_spinner=False)
def model_names() -> pd.DataFrame:
    return fetch_primary("models_names")


@st.cache_data(ttl=30, max_entries=32, show_spinner=False)
def versions(model_name: str) -> pd.DataFrame:
    return fetch_primary("models_versions", model_name=model_name)


@st.cache_data(ttl=30, max_entries=32, show_spinner=False)
def status_history(model_name: str) -> pd.DataFrame:
    return fetch_primary("models_status_history", model_name=model_name)


@st.cache_data(ttl=30, max_entries=64, show_spinner=False)
def active_at(model_name: str, at: datetime) -> pd.DataFrame:
    return fetch_primary("models_active_at", model_name=model_name, at=at)


@st.cache_data(ttl=30, max_entries=32, show_spinner=False)
def rollback_plan(model_name: str) -> tuple[pd.DataFrame | None, str | None]:
    """(the changes a roll back would make, None) or (None, why it cannot be done)."""
    try:
        return fetch_primary("models_rollback_plan", model_name=model_name), None
    except sa_exc.DBAPIError as error:
        refusal = _refusal(error)
        if refusal is None:
            raise
        return None, str(refusal)


@st.cache_data(ttl=300, max_entries=32, show_spinner=False)
def training_runs(model_name: str) -> pd.DataFrame:
    return fetch("models_training_runs", model_name=model_name)


@st.cache_data(ttl=120, max_entries=64, show_spinner=False)
def calibration_bins(model_name: str, n_bins: int, strategy: str) -> pd.DataFrame:
    """Per-bin sums for every version of the model and the market (see models_calibration.sql)."""
    return fetch("models_calibration", model_name=model_name, n_bins=n_bins, strategy=strategy)


def forget_lifecycle_reads() -> None:
    """After a write: the next reads of versions, history and rollback preview hit the database."""
    for cached in (model_names, versions, status_history, active_at, rollback_plan):
        cached.clear()


# --- writes -----------------------------------------------------------------------------------
def _apply(name: str, by: Identity, **params) -> list[Change]:
    require(by, "manage_versions")
    params["actor"] = by.name
    try:
        frame = write(name, **params)
    except sa_exc.DBAPIError as error:
        refusal = _refusal(error)
        if refusal is None:
            raise
        raise refusal from None
    except ValueError:  # psycopg2 cannot send a NUL character; nothing reached the database
        raise TransitionRefused("The reason holds a NUL character; remove it.") from None
    finally:
        forget_lifecycle_reads()
    return [Change(int(r.model_id), r.model_version, r.from_status, r.to_status, bool(r.applied))
            for r in frame.itertuples()]


def transition(model_id: int, new_status: str, reason: str, *, by: Identity, mode: str = "replace",
               request_id: str | None = None) -> list[Change]:
    """Move one version to `new_status` (mode replace/alongside when it becomes active); admins only."""
    return _apply("models_transition", by, model_id=int(model_id), new_status=new_status, reason=reason,
                  mode=mode, request_id=request_id)


def rollback(model_name: str, reason: str, *, by: Identity, request_id: str | None = None) -> list[Change]:
    """Roll the model back to the version(s) active before its latest activation; admins only."""
    return _apply("models_rollback", by, model_name=model_name, reason=reason, request_id=request_id)
