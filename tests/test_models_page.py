"""The Model versions page under AppTest: pick, compare (numbers checked against the database),
the link's state, the empty states, and transitions through the admin form."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss

from identity import current_identity
from queries.connection import dashboard_login
from tests.apptest import open_page, unescaped
from tests.conftest import rows
from ui.text import literal




def frame_with(at, column):
    """The (first) dataframe on the page that has `column`."""
    for element in at.dataframe:
        value = element.value
        if column in value.columns:
            return value
    raise AssertionError(f"no dataframe with a column {column!r}")


def no_trouble(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


# --- on the demo data (read only) ------------------------------------------------------------------
def test_the_default_view_shows_a_model_and_puts_it_in_the_link(app_env):
    at = open_page("models")
    no_trouble(at)
    model = at.query_params["model"][0] if isinstance(at.query_params["model"], list) else at.query_params["model"]
    count, = rows(app_env, "SELECT count(*) FROM probability_models WHERE model_name = %s", (model,))[0]
    assert len(frame_with(at, "config_hash")) == count
    assert at.query_params["baseline"]
    # only the open tab is drawn: Compare's metric chart, not the hidden tabs' charts
    assert [chart.key for chart in at.get("plotly_chart")] == ["models_metric_chart"]


def test_the_link_opens_a_tab_and_only_that_tab_is_drawn(app_env):
    at = open_page("models", tab="Calibration")
    no_trouble(at)
    assert [chart.key for chart in at.get("plotly_chart")] == ["models_reliability_chart"]
    assert not any(frame.key == "models_metric_table" for frame in at.dataframe)
    at = open_page("models", tab="No such tab")  # ignored, like any unknown value: Compare
    no_trouble(at)
    assert [chart.key for chart in at.get("plotly_chart")] == ["models_metric_chart"]


def test_a_link_reproduces_model_versions_and_baseline(app_env):
    at = open_page("models", model="regression_nba", versions="v1.1,v2.0", baseline="v2.0")
    no_trouble(at)
    assert at.selectbox(key="models_model").value == "regression_nba"
    assert at.multiselect(key="models_versions_regression_nba").value == ["v1.1", "v2.0"]
    assert at.selectbox(key="models_baseline_regression_nba").value == "v2.0"
    table = frame_with(at, "best")
    assert "Δ v1.1" in table.columns and "Δ v2.0" not in table.columns
    assert not at.warning


def test_unknown_model_or_version_in_the_link_gets_a_sentence_not_a_traceback(app_env):
    at = open_page("models", model="no_such_model", versions="v9")
    no_trouble(at)
    assert "The link's model 'no_such_model' is unknown and was ignored." in [w.value for w in at.warning]
    at = open_page("models", model="elo_nfl", versions="v1.1,v9.9", baseline="v9.9")
    no_trouble(at)
    assert "The link's versions 'v9.9' is unknown and was ignored." in [w.value for w in at.warning]
    assert at.multiselect(key="models_versions_elo_nfl").value == ["v1.1"]
    assert at.selectbox(key="models_baseline_elo_nfl").value == "v1.1"


def test_picking_a_model_shows_its_versions_and_updates_the_link(app_env):
    at = open_page("models", model="elo_nfl")
    at.selectbox(key="models_model").set_value("ensemble_politics").run()
    no_trouble(at)
    assert at.query_params["model"] in ("ensemble_politics", ["ensemble_politics"])
    assert sorted(frame_with(at, "config_hash").model_version) == ["v0.9", "v1.0", "v1.1"]
    # comparing fewer versions follows into the link
    at.multiselect(key="models_versions_ensemble_politics").set_value(["v1.0", "v1.1"]).run()
    assert at.query_params["versions"] in ("v1.0,v1.1", ["v1.0,v1.1"])


def test_the_comparison_numbers_match_the_database(app_env):
    at = open_page("models", model="elo_nfl", versions="v1.1,v2.0", baseline="v1.1")
    no_trouble(at)
    metrics = frame_with(at, "best").set_index("metric_key")
    (a11, a20), = rows(app_env, "SELECT max(validation_accuracy) FILTER (WHERE model_version = 'v1.1'), "
                                "max(validation_accuracy) FILTER (WHERE model_version = 'v2.0') "
                                "FROM probability_models WHERE model_name = 'elo_nfl'")
    assert metrics.loc["validation_accuracy", "Δ v2.0"] == f"{float(a20 - a11):+.4f}"
    assert metrics.loc["validation_accuracy", "best"] == ("v2.0" if a20 > a11 else "v1.1")

    # calibration: the last edge of each version before each market settled, scored independently
    predictions = rows(app_env, """
        SELECT pm.model_version, e.true_win_probability, e.market_implied_probability, s.settlement_value
        FROM (SELECT DISTINCT ON (market_id) market_id, created_at, settlement_value FROM markets
              WHERE status = 'settled' ORDER BY market_id, created_at) s
        JOIN probability_models pm ON pm.model_name = 'elo_nfl' AND pm.model_version IN ('v1.1', 'v2.0')
        JOIN LATERAL (SELECT * FROM edges e WHERE e.model_id = pm.model_id AND e.market_id = s.market_id
                      AND e.created_at < s.created_at ORDER BY e.created_at DESC, e.edge_id DESC LIMIT 1) e ON true""")
    link = dict(model="elo_nfl", versions="v1.1,v2.0", baseline="v1.1")
    calibration = frame_with(open_page("models", tab="Calibration", **link), "within_bin_variance").set_index("model_version")
    for version in ("v1.1", "v2.0"):
        mine = [(float(p), float(q), int(y)) for v, p, q, y in predictions if v == version]
        assert calibration.loc[version, "markets"] == len(mine) > 0
        y = [m[2] for m in mine]
        assert float(calibration.loc[version, "brier"]) == pytest.approx(brier_score_loss(y, [m[0] for m in mine]),
                                                                          abs=5e-5)  # shown at four digits
        assert calibration.loc[version, "market_brier"] == pytest.approx(brier_score_loss(y, [m[1] for m in mine]))

    # live results: closed positions attributed by their opening trade
    results = frame_with(open_page("models", tab="Live results", **link), "positions_closed").set_index("model_version")
    closed = dict(rows(app_env, """
        SELECT pm.model_version, count(*) FROM positions p
        JOIN LATERAL (SELECT t.model_id FROM trades t WHERE t.position_id = p.position_id AND t.side = 'buy'
                      ORDER BY t.created_at, t.trade_id LIMIT 1) o ON true
        JOIN probability_models pm ON pm.model_id = o.model_id
        WHERE p.row_current_ind AND p.status IN ('closed', 'settled') AND pm.model_name = 'elo_nfl'
        GROUP BY 1"""))
    for version in ("v1.1", "v2.0"):
        assert results.loc[version, "positions_closed"] == closed.get(version, 0)


# --- on a hand-made database: empty states and transitions -------------------------------------------
T0 = datetime(2026, 5, 1, 9, 0)


@pytest.fixture
def small(databases, point_app_at):
    """'alpha': v1 active, v2 validating, v3 draft; 'solo': one version. No trades, no markets."""

    url = databases.create("models_page")
    rows(url, """
        INSERT INTO probability_models (model_name, model_version, model_type, sport, config, status, created_at, created_by,
                                        validation_accuracy)
        VALUES ('alpha', 'v1', 'elo', 'nfl', '{"k": 20, "home": 50}', 'active', %(t)s, 'maria', 0.6500),
               ('alpha', 'v2', 'elo', 'nfl', '{"k": 24, "home": 50}', 'validating', %(t1)s, 'maria', 0.6700),
               ('alpha', 'v3', 'elo', 'nfl', '{"k": 26, "home": 55}', 'draft', %(t2)s, 'maria', NULL),
               ('solo', 'v1', 'regression', 'nba', '{"alpha": 1}', 'active', %(t)s, 'dev', 0.6000)""",
         {"t": T0, "t1": T0 + timedelta(days=1), "t2": T0 + timedelta(days=2)})
    return point_app_at(url)


def statuses(url, model="alpha"):
    return dict(rows(url, "SELECT model_version, status FROM probability_models WHERE model_name = %s", (model,)))


def history(url):
    return rows(url, "SELECT pm.model_version, h.from_status, h.to_status, h.action, h.changed_by, h.reason "
                     "FROM model_status_history h JOIN probability_models pm USING (model_id) ORDER BY h.history_id")


ADMIN = "Admin actions"


def outcome(at) -> str:
    """The sentence the admin tab shows after an action (success or refusal)."""
    found = [unescaped(m.value) for m in [*at.success, *at.warning, *at.error]
             if unescaped(m.value).startswith(("Done", "Nothing", "Already", "Refused"))]
    assert len(found) == 1, found
    return found[0]


def apply_action(at, label, reason="Better calibrated on the last 200 markets", confirm=True):
    action = next(s for s in at.selectbox if s.label == "Action")
    action.select_index(action.options.index(label))
    next(t for t in at.text_input if t.label.startswith("Reason")).input(reason)
    next(c for c in at.checkbox if c.label.startswith("I have checked")).set_value(confirm)
    next(b for b in at.button if b.label == "Apply").click()
    return at.run()


def test_a_model_with_one_version_no_trades_and_no_settled_markets_gets_sentences(small):
    for tab, sentence in (("Compare", "solo has only one version, so there is nothing to compare it with"),
                          ("Live results", "No position opened on a prediction of v1 has closed yet"),
                          ("Calibration", "No market that v1 priced has settled yet"),
                          ("Training runs", "No training run is recorded for the selected versions.")):
        at = open_page("models", model="solo", tab=tab)
        no_trouble(at)
        assert sentence in " ".join(unescaped(i.value) for i in at.info), tab


def test_promote_replacing_through_the_form(small):
    at = open_page("models", model="alpha", versions="v1,v2", baseline="v1", tab=ADMIN)
    no_trouble(at)
    at = apply_action(at, "Promote v2 to active, replacing the active version(s), deprecating v1")
    no_trouble(at)
    assert outcome(at) == "Done: v2 validating → active; v1 active → deprecated."
    assert statuses(small) == {"v1": "deprecated", "v2": "active", "v3": "draft"}
    assert statuses(small, "solo") == {"v1": "active"}
    me = current_identity().name
    assert history(small) == [("v2", "validating", "active", "promote_replace", me, "Better calibrated on the last 200 markets"),
                              ("v1", "active", "deprecated", "replaced", me, "Better calibrated on the last 200 markets")]
    # the page shows the new state, and a rerun (or a click that belonged to the old form) does nothing
    assert dict(zip(frame_with(at, "config_hash").model_version, frame_with(at, "config_hash").status))["v2"] == "active"
    at.run()
    no_trouble(at)
    assert len(history(small)) == 2
    assert "Roll back: deprecate v2 and re-activate v1" in next(s for s in at.selectbox if s.label == "Action").options


def test_roll_back_through_the_form(small):
    at = apply_action(open_page("models", model="alpha", tab=ADMIN), "Promote v2 to active alongside v1 (A/B)")
    assert statuses(small)["v1"] == statuses(small)["v2"] == "active"
    at = apply_action(at, "Roll back: deprecate v2", reason="A/B arm lost")
    no_trouble(at)
    assert outcome(at) == "Done: v2 active → deprecated."
    assert statuses(small) == {"v1": "active", "v2": "deprecated", "v3": "draft"}
    assert history(small)[-1][:4] == ("v2", "active", "deprecated", "rollback")


def test_the_form_needs_a_reason_and_a_confirmation(small):
    at = open_page("models", model="alpha", tab=ADMIN)
    at = apply_action(at, "Start training: v3 draft → training", reason="  ")
    assert "Give a reason" in at.warning[0].value
    at = apply_action(at, "Start training: v3 draft → training", confirm=False)
    assert "Tick the confirmation box" in at.warning[0].value
    assert history(small) == []


def test_what_the_database_refuses_is_shown_as_its_sentence(small):
    at = open_page("models", model="alpha", tab=ADMIN)
    # meanwhile, someone else moves v3 on to validating
    rows(small, "SELECT transition_model_status(model_id, 'training', 'bob', 'x') FROM probability_models "
                "WHERE model_name = 'alpha' AND model_version = 'v3'")
    rows(small, "SELECT transition_model_status(model_id, 'validating', 'bob', 'x') FROM probability_models "
                "WHERE model_name = 'alpha' AND model_version = 'v3'")
    at = apply_action(at, "Start training: v3 draft → training")
    assert not at.exception
    # the form was drawn on the old state: it is not sent, and the sentence says what changed (#25)
    refusal = outcome(at)
    assert refusal.startswith("Nothing was applied: the versions of alpha changed after this form was drawn "
                              "(v3 draft → validating by bob at "), refusal
    assert statuses(small)["v3"] == "validating"
    assert len(history(small)) == 2


def test_the_history_tab_answers_which_version_was_active_when(small):
    at = open_page("models", model="alpha", tab="History")
    at.date_input(key="models_asof_day").set_value(T0.date() + timedelta(days=1)).run()
    at.time_input(key="models_asof_time").set_value(T0.time()).run()
    no_trouble(at)
    # database text (version names) goes through markdown escaped (ui/text.literal)
    assert any(literal("v1 (active since 2026-05-01 09:00)") in s.value for s in at.success)
    moment = f"{T0.date() + timedelta(days=1)}T{T0:%H:%M}"
    assert at.query_params["at"] in (moment, [moment])  # the moment is in the link
    at.date_input(key="models_asof_day").set_value(T0.date() - timedelta(days=1)).run()
    assert any(literal("No version of alpha was active at 2026-04-30 09:00 UTC.") in i.value for i in at.info)
    history_table = frame_with(at, "changed_by")
    assert sorted(history_table.version) == ["v1", "v2", "v3"]
    assert set(history_table.action) == {"created"}


def test_the_same_request_twice_applies_once_through_the_write_function(small):
    from analytics.model_metrics import describe_changes
    from queries import models as q

    (v2,), = rows(small, "SELECT model_id FROM probability_models WHERE model_name = 'alpha' AND model_version = 'v2'")
    first = q.transition(v2, "active", "A/B start", by=current_identity(), mode="alongside", request_id="tok:promote")
    second = q.transition(v2, "active", "A/B start", by=current_identity(), mode="alongside", request_id="tok:promote")
    assert describe_changes(first) == "Done: v2 validating → active."
    assert describe_changes(second) == "Already done by the same request, nothing changed again (v2 validating → active)."
    assert len(history(small)) == 1
    with pytest.raises(q.TransitionRefused, match="^alpha v2 cannot go from active to training"):
        q.transition(v2, "training", "oops", by=current_identity())


def test_a_database_without_models_gets_one_sentence(databases, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("PRECOG_DATABASE_URL", dashboard_login(databases.create("models_empty")))
    monkeypatch.delenv("PRECOG_READ_URL", raising=False)
    st.cache_data.clear()
    at = open_page("models", model="elo_nfl")
    no_trouble(at)
    assert [i.value for i in at.info] == ["No probability model versions are recorded yet."]
    st.cache_data.clear()


# --- numbers a meeting can stake a decision on (issue #21) -------------------------------------------
def display_values(element) -> pd.DataFrame:
    """What a styled dataframe shows (its cells as formatted text), read from the element's proto."""
    import pyarrow as pa

    return pa.ipc.open_stream(element.proto.arrow_data.styler.display_values).read_pandas()


def test_rates_are_percentages_on_every_tab(app_env):
    """ROI read 0.0034 on the Compare tab and 0.34% on Live results."""
    link = dict(model="elo_nfl", versions="v1.1,v2.0", baseline="v1.1")
    at = open_page("models", **link)
    no_trouble(at)
    element = next(d for d in at.dataframe if "best" in d.value.columns)
    shown = display_values(element).set_index("metric_key")
    results = frame_with(open_page("models", tab="Live results", **link), "positions_closed").set_index("model_version")
    for version in ("v1.1", "v2.0"):
        assert shown.loc["roi", version] == results.loc[version, "roi"]
        assert shown.loc["win_rate", version] == results.loc[version, "win_rate"]
        assert shown.loc["roi", version].endswith("%") and shown.loc["roi", version][0] in "+-"
    assert shown.loc["roi", "Δ v2.0"].endswith(" pp") and shown.loc["win_rate", "Δ v2.0"].endswith(" pp")
    assert not shown.loc["validation_accuracy", "v1.1"].endswith("%")
    # a metric a version does not have is a dash, whatever its row's format (a cell without a value
    # is drawn as "None" by the browser)
    every = frame_with(open_page("models", model="elo_nfl"), "best")
    cells = every[[c for c in every.columns if c.startswith(("v", "Δ"))]]
    assert cells.notna().all().all() and (cells == "—").any().any()
    chart = json.loads(next(c for c in at.get("plotly_chart") if c.key == "models_metric_chart").proto.spec)
    roi_panel = next(t for t in chart["data"] if t["name"] == "Trading: ROI")
    assert chart["layout"][roi_panel["yaxis"].replace("y", "yaxis")]["tickformat"] == ".1%"


def test_the_decomposition_shown_adds_up_to_the_brier_shown(app_env):
    from decimal import Decimal

    at = open_page("models", tab="Calibration", model="regression_nba")
    no_trouble(at)
    table = frame_with(at, "within_bin_variance")
    assert len(table) >= 2
    for row in table.itertuples():
        terms = [Decimal(getattr(row, key)) for key in ("reliability", "resolution", "uncertainty",
                                                         "within_bin_variance", "within_bin_covariance")]
        assert terms[0] - terms[1] + terms[2] + terms[3] - terms[4] == Decimal(row.brier), row


def test_versions_are_compared_on_the_markets_both_scored(app_env):
    """elo_nfl's versions each scored their own markets (60, 88 and 38 at the demo's default scale,
    none all three): no winner is named from the unpaired scores, which are labelled as each
    version's own, and every pair is compared on the markets both scored."""
    at = open_page("models", model="elo_nfl")
    no_trouble(at)
    assert not at.success
    assert any(i.value.startswith("No clear winner") for i in at.info)
    metrics = frame_with(at, "best").set_index("metric_key")
    assert metrics.loc["live_brier", "metric"] == "Settled markets (own): Brier"
    paired = frame_with(at, "Shared markets")
    versions = len(frame_with(at, "config_hash"))
    assert set(paired.Score) == {"Brier", "Log loss"} and len(paired) == versions * (versions - 1)  # pairs x 2 scores


def add_points(url, model_version, markets, p_model, y, model="alpha"):
    rows(url, """
        INSERT INTO calibration_points (model_id, market_id, settled_at, y, p_model, p_market, edge_id)
        SELECT pm.model_id, m, '2026-05-01', y, p, 0.5, 1
        FROM probability_models pm, unnest(%(markets)s::text[], %(p)s::numeric[], %(y)s::numeric[]) AS u(m, p, y)
        WHERE pm.model_name = %(model)s AND pm.model_version = %(version)s""",
         {"markets": markets, "p": [round(float(x), 4) for x in p_model], "y": [float(v) for v in y],
          "model": model, "version": model_version})


def test_a_winner_is_named_only_when_its_interval_says_so(small):
    rng = np.random.default_rng(9)
    truth = rng.uniform(0.1, 0.9, 200)
    y = (rng.random(200) < truth).astype(int)
    markets = [f"P{i}" for i in range(200)]
    add_points(small, "v1", markets, np.clip(truth + rng.normal(0, 0.4, 200), 0.01, 0.99), y)
    add_points(small, "v2", markets, np.clip(truth + rng.normal(0, 0.02, 200), 0.01, 0.99), y)
    add_points(small, "v3", markets[:10], truth[:10], y[:10])
    two = open_page("models", model="alpha", versions="v1,v2", baseline="v1")
    no_trouble(two)
    assert [s.value for s in two.success] == [
        "Winner\\: v2\\, with a lower Brier score than v1 on the markets each pair scored\\, every interval "
        "\\(97\\.5\\%\\) below zero\\."]
    paired = frame_with(two, "Shared markets")
    assert paired["Shared markets"].tolist() == [200, 200] and paired.Reading.iloc[0] == "v2 better"
    # v3 shares 10 markets with each: it cannot be compared, so nobody beats every other version
    three = open_page("models", model="alpha", versions="v1,v2,v3", baseline="v1")
    assert not three.success and any(i.value.startswith("No clear winner") for i in three.info)


# --- the loser of a race and a stale form are told what the database now holds (#25) ----------
def as_user(monkeypatch, name: str) -> None:
    """The next runs act as local:<name> (local mode names the operating-system user)."""
    monkeypatch.setattr("identity.getpass.getuser", lambda: name)


def pick(at, label, reason="Ready for training"):
    action = next(s for s in at.selectbox if s.label == "Action")
    action.select_index(action.options.index(label))
    next(t for t in at.text_input if t.label.startswith("Reason")).input(reason)
    next(c for c in at.checkbox if c.label.startswith("I have checked")).set_value(True)
    return at


def test_the_second_of_two_admins_applying_the_same_action_is_told_who_was_first(small, monkeypatch):
    as_user(monkeypatch, "alice")
    alice = pick(open_page("models", model="alpha", tab=ADMIN), "Start training: v3 draft → training")
    as_user(monkeypatch, "bob")
    bob = pick(open_page("models", model="alpha", tab=ADMIN), "Start training: v3 draft → training")
    as_user(monkeypatch, "alice")
    next(b for b in alice.button if b.label == "Apply").click()
    alice = alice.run()
    assert outcome(alice) == "Done: v3 draft → training."
    as_user(monkeypatch, "bob")  # a moment later, on the form he opened before alice applied hers
    next(b for b in bob.button if b.label == "Apply").click()
    bob = bob.run()
    assert not bob.exception
    told = outcome(bob)
    assert told.startswith("Nothing was applied") and "v3 draft → training by local:alice at " in told, told
    assert [h[:5] for h in history(small)] == [("v3", "draft", "training", "transition", "local:alice")]


def test_a_form_drawn_before_another_admin_changed_the_versions_is_not_applied_and_says_why(small, monkeypatch):
    from queries import models as q
    from identity import Identity

    as_user(monkeypatch, "alice")
    at = apply_action(open_page("models", model="alpha", tab=ADMIN), "Promote v2 to active alongside v1 (A/B)")
    assert statuses(small)["v1"] == statuses(small)["v2"] == "active"
    at = pick(at, "Keep only v2 active, deprecating v1", reason="v2 won the A/B")
    # meanwhile bob deprecates v2 (through the dashboard's own write: the page's reads are fresh after it)
    (v2,), = rows(small, "SELECT model_id FROM probability_models WHERE model_name = 'alpha' AND model_version = 'v2'")
    q.transition(v2, "deprecated", "v2 lost", by=Identity("bob", "admin", "header", True))
    next(b for b in at.button if b.label == "Apply").click()
    at = at.run()
    told = outcome(at)
    assert told.startswith("Nothing was applied: the versions of alpha changed after this form was drawn"), told
    assert "v2 active → deprecated by bob at " in told, told
    assert statuses(small) == {"v1": "active", "v2": "deprecated", "v3": "draft"}
    assert [h[4] for h in history(small)] == ["local:alice", "bob"]


def test_two_admins_sending_the_same_request_at_once_the_second_is_told_who_applied_it(small):
    """Both forms passed the state check before either wrote: the request id makes the second a
    repeat, and its sentence names the first admin, not 'the same request'."""
    from identity import Identity
    from queries import models as q
    from ui import admin_form

    (v3,), = rows(small, "SELECT model_id FROM probability_models WHERE model_name = 'alpha' AND model_version = 'v3'")
    alice, bob = Identity("alice", "admin", "header", True), Identity("bob", "admin", "header", True)
    q.transition(v3, "training", "go", by=alice, request_id="tok:train-v3")
    second = q.transition(v3, "training", "go", by=bob, request_id="tok:train-v3")
    told = admin_form.already_done(second, q.status_history("alpha"), bob.name)
    assert told.startswith("Nothing was applied: it was done already (v3 draft → training by alice at "), told
    assert admin_form.already_done(second, q.status_history("alpha"), alice.name).startswith(
        "Nothing was applied: it was done already (v3 draft → training by you at ")
    assert len(history(small)) == 1
