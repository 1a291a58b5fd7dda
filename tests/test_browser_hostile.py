"""Hostile database text in real Chromium (#25): on the pages that quote names in headings,
captions and charts, the text reads as the characters it holds. No link, no KaTeX, no colour,
no bold made of it, no link inside a Plotly chart, no reversed words; and a 150-character alert
type leaves the false-positive chart its height."""
from __future__ import annotations

import pytest

from tests.browser import APPEARS_MS, chromium_page, screenshot, streamlit_server, wait_for_app
from tests.hostile import hostile_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

LITERAL = "**b** $\\frac{1}{2}$ [c](javascript:x) :red[r] <b>B</b><a href='https://example.invalid/x'>A</a><br>brk"
# What hostile text would have made live, anywhere on the page
LIVE = ("a[href*='example.invalid'], a[href^='javascript'], a[href^='mailto'], .katex, "
        ".js-plotly-plot a, [data-testid='stMain'] strong:text-is('b'), [data-testid='stMain'] b:text-is('B')")


@pytest.fixture(scope="module")
def app_url(hostile_url):  # noqa: F811
    with streamlit_server({"PRECOG_DATABASE_URL": hostile_url}) as base:
        yield base


def open_view(page, base: str, path: str) -> None:
    page.goto(base)
    wait_for_app(page)
    page.goto(f"{base}/{path}")
    wait_for_app(page)


def nothing_live(page) -> None:
    assert page.locator(LIVE).count() == 0, page.locator(LIVE).first.evaluate("e => e.outerHTML")
    shown = page.inner_text("body")
    assert "\u202e" not in shown and "\u200b" not in shown
    assert page.locator("[data-testid='stException']").count() == 0


def test_model_names_read_as_their_characters_in_the_model_choice_and_charts(app_url):
    with chromium_page(1920, 1080) as page:
        open_view(page, app_url, "models")
        page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=APPEARS_MS)
        # the model's name, as the Model choice shows it (the page's heading "Versions of …" gave
        # way to the tabs, #23; markdown sinks are covered by tests/test_hostile_text.py)
        shown = page.get_by_role("combobox", name="Model", exact=True).input_value()
        assert LITERAL in shown.replace("\u2060", "") and "\ufffd" in shown  # word joiners: no links
        chart_text = page.locator("[data-testid='stPlotlyChart']").first.inner_text() + " ".join(
            page.locator("[data-testid='stPlotlyChart'] text").all_text_contents())
        assert "<b>B</b>" in chart_text  # the tags show as characters
        nothing_live(page)
        screenshot(page, "hostile_models_1920")


def test_alert_types_and_strategy_versions_stay_text_and_the_chart_keeps_its_height(app_url):
    with chromium_page(1366, 768) as page:
        open_view(page, app_url, "alerts?tab=Response+metrics&metrics=all")
        chart = page.locator("[data-testid='stPlotlyChart']").nth(2)  # the false-positive rates
        chart.locator(".main-svg").first.wait_for(timeout=APPEARS_MS)
        plot_height = chart.locator(".nsewdrag").first.bounding_box()["height"]
        assert plot_height >= 150, plot_height
        nothing_live(page)
        chart.scroll_into_view_if_needed()
        screenshot(page, "hostile_alerts_metrics_1366")
        open_view(page, app_url, "ab_tests?from=2000-01-01")
        page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=APPEARS_MS)
        caption = page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']",
                               has_text="against control").first.inner_text()
        assert "https:" in caption and "example.invalid/phish" in caption  # shown, not linked
        nothing_live(page)
        screenshot(page, "hostile_ab_1366")
