"""Every refusal of a write function in queries/ is one sentence (#25): ids the database cannot
hold (past int4), values that are not ids at all, and an identity whose role the dashboard does not
know (test_access_control.py) come back as sentences, never as DataError or ValueError, and
nothing is written."""
from __future__ import annotations

import pytest

from identity import Identity
from queries import alerts
from queries import models as model_queries
from tests.test_alerts_database import new_alert, sql

RESPONDER = Identity("rob@example.com", "responder", "header", signed_in=True)
ADMIN = Identity("ada@example.com", "admin", "header", signed_in=True)


@pytest.fixture(scope="module")
def db(databases):
    url = databases.create("write_refusals")
    sql(url, """INSERT INTO probability_models (model_name, model_version, model_type, sport, config, status)
                VALUES ('elo_nfl', 'v1.0', 'elo', 'nfl', '{"k": 20}', 'validating')""")
    return url


def one_sentence(text: str) -> None:
    assert text and "\n" not in text and text.endswith(".") and len(text) < 300, text


def nothing_written(db) -> None:
    assert sql(db, "SELECT count(*) FROM alert_actions") == [(0,)]
    assert sql(db, "SELECT count(*) FROM model_status_history") == [(0,)]
    assert sql(db, "SELECT count(*) FROM alerts WHERE acknowledged_at IS NOT NULL") == [(0,)]


@pytest.mark.parametrize("alert_id, sentence", [
    (2**31, "There is no alert 2147483648."),
    (-(2**31) - 1, "There is no alert -2147483649."),
    (10**30, f"There is no alert {10**30}."),
    ("abc", "'abc' is not an alert id."),
    (1.5, "'1.5' is not an alert id."),
    (None, "'None' is not an alert id."),
])
@pytest.mark.parametrize("write", ["acknowledge", "resolve"])
def test_an_alert_id_the_database_cannot_hold_is_a_sentence(db, point_app_at, write, alert_id, sentence):
    point_app_at(db)
    new_alert(db)
    if write == "acknowledge":
        outcomes = alerts.acknowledge([alert_id], RESPONDER, None)
    else:
        outcomes = alerts.resolve([alert_id], RESPONDER, "fixed", None)
    assert [(o.outcome, o.message) for o in outcomes] == [("unknown_alert", sentence)]
    one_sentence(outcomes[0].message)
    nothing_written(db)


@pytest.mark.parametrize("model_id, sentence", [
    (2**31, "there is no model version with id 2147483648."),
    ("abc", "'abc' is not a model version id."),
])
def test_a_model_id_the_database_cannot_hold_is_a_sentence(db, point_app_at, model_id, sentence):
    point_app_at(db)
    with pytest.raises(model_queries.TransitionRefused) as refused:
        model_queries.transition(model_id, "active", "why", by=ADMIN)
    assert str(refused.value) == sentence
    one_sentence(str(refused.value))
    nothing_written(db)


def test_the_database_refusing_a_value_out_of_range_is_a_sentence_too(db, point_app_at):
    """The SQLSTATEs for a number out of range (22003) and text that is not a number (22P02) are
    refusals, whichever check lets such a value through."""
    import queries
    from sqlalchemy import exc as sa_exc

    point_app_at(db)
    for statement in ("SELECT 2147483648::int", "SELECT 'abc'::int"):
        try:
            with queries.write_engine().connect() as conn:
                conn.exec_driver_sql(statement)
        except sa_exc.DBAPIError as error:
            sentence = queries.refusal(error)
        assert sentence is not None
        one_sentence(sentence)
