"""The Model versions page in real Chromium: the compare flow from a shared link, and a look at
every tab (screenshots in screenshots/models_*.png)."""
from __future__ import annotations

import pytest

from tests.browser import APPEARS_MS, chromium_page, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(demo_url):
    with streamlit_server({"PRECOG_DATABASE_URL": demo_url}) as base:
        yield base


def open_tab(page, name: str) -> None:
    """Click a tab: only the open tab is drawn, so the click reruns the page with it in the link."""
    page.get_by_role("tab", name=name).click()
    page.wait_for_function("tab => new URL(location.href).searchParams.get('tab') === tab || tab === 'Compare'",
                           arg=name, timeout=APPEARS_MS)
    wait_for_app(page)


def test_compare_flow_from_a_shared_link(app_url):
    with chromium_page(width=1500, height=2600) as page:
        # The server's first script run must be app.py: a first request straight to /models on a
        # fresh server runs the page without app.py's st.navigation (Streamlit's pages/ mode).
        page.goto(app_url)
        wait_for_app(page)
        page.goto(f"{app_url}/models?model=elo_nfl&versions=v1.1,v2.0&baseline=v1.1")
        wait_for_app(page)
        assert page.locator("[data-testid='stException']").count() == 0
        # the link chose the model, the versions and the baseline
        assert page.get_by_role("combobox", name="Model", exact=True).input_value().startswith("elo_nfl")
        chosen = page.locator("[data-testid='stMultiSelect']").filter(has_text="Compare versions").inner_text()
        assert "v1.1" in chosen and "v2.0" in chosen and "v1.0" not in chosen
        page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=APPEARS_MS)
        metrics = page.locator("[data-testid='stDataFrame']").filter(has_text="Best value")
        metrics.first.wait_for(timeout=APPEARS_MS)  # the grid draws after the charts on a busy machine
        assert metrics.count() == 1
        # the versions compared on the markets both scored, and the sentence that names a winner or none
        paired = page.locator("[data-testid='stDataFrame']").filter(has_text="Shared markets")
        paired.first.wait_for(timeout=APPEARS_MS)
        assert paired.count() == 1
        assert page.locator("[data-testid='stAlert']").filter(has_text="winner").count() >= 1
        screenshot(page, "models_compare")

        # add a version: the URL follows, so the link reproduces the view
        page.locator("[data-testid='stMultiSelect']").filter(has_text="Compare versions").click()
        page.get_by_role("option", name="v1.0").click()
        page.keyboard.press("Escape")
        wait_for_app(page)
        assert "versions=v1.0%2Cv1.1%2Cv2.0" in page.url or "versions=v1.0,v1.1,v2.0" in page.url
        assert "baseline=v1.1" in page.url

        open_tab(page, "Calibration")
        assert "tab=Calibration" in page.url and "versions=v1.0" in page.url
        page.wait_for_selector("[data-testid='stPlotlyChart']:visible", timeout=APPEARS_MS)
        assert page.locator("[data-testid='stPlotlyChart']").count() == 1  # the hidden tabs draw nothing
        page.get_by_text("Skill vs market").first.wait_for(state="attached", timeout=APPEARS_MS)  # the grid header, after the chart
        assert page.get_by_text("Skill vs market").count() >= 1
        screenshot(page, "models_calibration")

        for tab, name in (("Live results", "models_results"), ("Training runs", "models_training"),
                          ("History", "models_history"), ("Admin actions", "models_admin")):
            open_tab(page, tab)
            screenshot(page, name)
        assert page.locator("[data-testid='stException']").count() == 0


def test_an_unknown_model_in_the_link_gets_one_sentence(app_url):
    with chromium_page() as page:
        page.goto(app_url)
        wait_for_app(page)
        page.goto(f"{app_url}/models?model=no_such_model&versions=v9")
        wait_for_app(page)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_text("The link's model 'no_such_model' is unknown and was ignored.").count() == 1
