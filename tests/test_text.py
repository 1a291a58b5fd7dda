"""ui/text.py: database text made inert for each place it is shown (#25)."""
from __future__ import annotations

import pandas as pd

from tests.hostile import hidden_characters, linkable, markdown_problems, read_escapes
from ui import text

RLO, ZWSP, WJ, FFFD = "\u202e", "\u200b", "\u2060", "\ufffd"


def test_literal_escapes_every_markdown_character_and_keeps_what_it_reads():
    for raw in ("m **b** $\\frac{1}{2}$ [c](javascript:x) :red[r]", "_x_ `y` ~~z~~ <b>h</b> &amp; :material/home:",
                "1. not a list", "# not a heading", "> not a quote", "| not | a table |"):
        body = text.literal(raw)
        rendered, escaped = read_escapes(body)
        assert rendered == raw
        assert all(e for c, e in zip(rendered, escaped) if c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
        assert markdown_problems("literal", body) == []


def test_literal_puts_a_word_joiner_into_every_address_markdown_would_link():
    raw = "see https://example.invalid/phish, HTTP://X.Y, www.example.invalid or ops@example.invalid (mailto:a@b.c)"
    body = text.literal(raw)
    assert linkable(body) is None
    assert read_escapes(body)[0].replace(WJ, "") == raw  # nothing else changed
    assert linkable(raw.replace(".", "\\.")) is not None  # escaping alone would not do (the check is not vacuous)


def test_every_sink_shows_direction_overrides_and_invisible_characters():
    raw = f"{RLO}fdp.exe{ZWSP} \u2066x\u2069 a\u2028b soft\u00adhyphen \x1b[31m tab\there\nline"
    for shown in (text.literal(raw), text.plain(raw), text.chart(raw), text.html_text(raw)):
        assert hidden_characters(shown, "\t\n" + WJ) == [], shown
        assert shown.count(FFFD) >= 7
    assert "\t" in text.plain(raw) and "\n" in text.plain(raw)  # st.text keeps its tabs and lines
    assert "\n" not in text.chart(raw)  # a line break means nothing to Plotly


def test_chart_text_is_entities_for_plotly_and_no_template():
    assert text.chart("<a href='https://x'>A</a> <b>B</b><br> & %{x} 5% $x$") == \
        "&lt;a href='https://x'&gt;A&lt;/a&gt; &lt;b&gt;B&lt;/b&gt;&lt;br&gt; &amp; &#37;{x} 5% $x$"
    assert text.chart("v1.0") == "v1.0"


def test_cells_shows_text_cells_and_column_names_plainly_and_leaves_numbers():
    frame = pd.DataFrame({f"{RLO}v1": ["a" + ZWSP, None, 3], "n": [1.5, 2.5, 3.5]})
    shown = text.cells(frame)
    assert list(shown.columns) == [f"{FFFD}v1", "n"]
    assert shown.iloc[:, 0].tolist()[0] == f"a{FFFD}" and shown.iloc[1, 0] is None and shown.iloc[2, 0] == 3
    assert shown.n.tolist() == [1.5, 2.5, 3.5]
    clean = pd.DataFrame({"x": ["a", "b"]})
    assert text.cells(clean) is clean  # nothing to change: no copy


def test_plain_json_keeps_the_structure():
    assert text.plain_json({f"k{RLO}": [f"v{ZWSP}", 1, None, {"n": "a\nb"}]}) == {f"k{FFFD}": [f"v{FFFD}", 1, None, {"n": "a\nb"}]}
    assert text.plain_json('{"a": "\\u202e"}') == {"a": FFFD}  # an escape in JSON text is the character too
