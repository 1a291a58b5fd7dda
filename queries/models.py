"""Queries and writes behind the Model versions page.

Versions, their status history and the rollback preview are read from the primary: after an
admin's transition the page must show it at once. Everything else may come from a replica.

Writes are one database function call each (`transition_model_status`, `rollback_model`): the
database checks the lifecycle, applies the change and records it, and refuses what is illegal with
a sentence, which is what the page shows. A request id makes a repeated call apply once.
"""
from __future__ import annotations

from dataclasses import dataclass
import pandas as pd
import streamlit as st
from sqlalchemy import exc as sa_exc

from identity import Identity, require
from queries import INT4, fetch, fetch_primary, refusal, whole_number, write
from queries import versions as lifecycle

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


def _refusal(error: sa_exc.DBAPIError) -> TransitionRefused | None:
    sentence = refusal(error)
    return None if sentence is None else TransitionRefused(sentence)


# --- reads ------------------------------------------------------------------------------------
@st.cache_data(ttl=60, max_entries=4, show_spinner=False)
def model_names() -> pd.DataFrame:
    return fetch_primary("models_names")


@st.cache_data(ttl=30, max_entries=32, show_spinner=False)
def versions(model_name: str) -> pd.DataFrame:
    return fetch_primary("models_versions", model_name=model_name)


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


@st.cache_data(ttl=120, max_entries=32, show_spinner=False)
def paired_scores(model_name: str) -> pd.DataFrame:
    """Per pair of versions, sums of their score differences on shared markets (models_paired_scores.sql)."""
    return fetch("models_paired_scores", model_name=model_name)


def status_history(model_name: str) -> pd.DataFrame:
    """Every recorded status of the model's versions, newest first (the lifecycle's timeline)."""
    return lifecycle.timeline("model", model_name)


def forget_lifecycle_reads() -> None:
    """After a write: the next reads of versions, history and rollback preview hit the database."""
    for cached in (model_names, versions, rollback_plan, lifecycle.timeline, lifecycle.as_of):
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
    require(by, "manage_versions")  # before anything about the request is said
    number = whole_number(model_id)
    if number is None:
        raise TransitionRefused(f"'{str(model_id)[:40]}' is not a model version id.")
    if number not in INT4:  # the database's own sentence for an id it does not have
        raise TransitionRefused(f"there is no model version with id {number}.")
    return _apply("models_transition", by, model_id=number, new_status=new_status, reason=reason,
                  mode=mode, request_id=request_id)


def rollback(model_name: str, reason: str, *, by: Identity, request_id: str | None = None) -> list[Change]:
    """Roll the model back to the version(s) active before its latest activation; admins only."""
    return _apply("models_rollback", by, model_name=model_name, reason=reason, request_id=request_id)
