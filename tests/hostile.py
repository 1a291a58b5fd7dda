"""A database whose every piece of free text is hostile: the demo data, then each text column the
pages show (names, versions, messages, notes, titles, config and feature keys) prefixed with markup
for every surface the dashboard draws on (#25): markdown and LaTeX, colour directives, HTML that
Plotly reads, a hover-template placeholder, bare addresses that GitHub-flavoured markdown links,
a right-to-left override and a zero-width space.

Checks that a page run shows all of it inert are in `inert_problems`."""
from __future__ import annotations

import json
import re
import unicodedata

import pandas as pd
import pytest

from demo import loader
from queries import schema

HOSTILE = ("\u202e**b** $\\frac{1}{2}$ [c](javascript:x) :red[r] <b>B</b><a href='https://example.invalid/x'>A</a>"
           "<br>brk %{fullData.uid} https://example.invalid/phish www.example.invalid a@example.invalid\u200b ")
# What each sink would render live if the text reached it raw.
MARKDOWN_FRAGMENTS = ["**b**", "$\\frac{1}{2}$", "[c](javascript:x)", ":red[r]"]
CHART_FRAGMENTS = ["<b>B</b>", "<a href", "<br>brk", "%{fullData.uid}"]
ESCAPED_IN_CHARTS = "&lt;b&gt;B&lt;/b&gt;"

# Free text the pages show, by table. Codes with a meaning (statuses, sides, severities, sports,
# platform ids) keep their values: the pages filter and colour by them.
TEXT_COLUMNS = {
    "probability_models": ["model_name", "model_version", "model_type", "notes", "created_by", "description"],
    "strategies": ["strategy_name", "strategy_version", "notes", "created_by", "description"],
    "methods": ["method_name", "method_version"],
    "alerts": ["alert_type", "category", "component", "environment", "message", "acknowledged_by",
               "acknowledged_notes", "resolved_by", "resolved_notes", "source_table",
               "snoozed_by", "snooze_reason"],  # fingerprint: 64 characters
    "alert_actions": ["actor", "notes"],
    "model_status_history": ["changed_by", "reason"],
    "markets": ["ticker", "title"],
    "events": ["title"],
    "series": ["title"],
    "platforms": ["display_name"],
    "model_training_runs": ["framework_version", "error_message", "notes", "created_by"],
    "training_datasets": ["dataset_name"],
    "trades": ["order_id", "external_trade_id"],
}
# JSON objects whose keys the pages show (config differences, feature importance, hyperparameters,
# alert details).
JSON_KEYS = {
    "probability_models": ["config"],
    "strategies": ["config"],
    "model_training_runs": ["feature_importance", "hyperparameters"],
    "alerts": ["details", "tags"],
}


def load(url: str, as_of, scale: float = 0.02) -> list[tuple[str, str]]:
    """Demo data at `scale` years, then the hostile text; (table, column) of each change made."""
    loader.load(url, scale=scale, as_of=as_of, progress=lambda _: None)
    changed = []
    conn = schema.connect(url)
    try:
        with conn, conn.cursor() as cur:
            # As a bulk load does: the rules about who may change a name or a config are the
            # triggers' (replica mode skips them); the summaries' own triggers still run.
            cur.execute("SET LOCAL session_replication_role = replica")
            # two open alerts snoozed for a day from now, so the queue's snoozed view shows their text
            cur.execute("""UPDATE alerts SET snoozed_until = (now() AT TIME ZONE 'UTC') + interval '1 day',
                                             snoozed_by = 'carol', snooze_reason = 'waiting on the vendor'
                           WHERE alert_id IN (SELECT alert_id FROM alerts WHERE resolved_at IS NULL
                                              ORDER BY alert_id LIMIT 2)""")
            for table, columns in TEXT_COLUMNS.items():
                for column in columns:
                    cur.execute(f"UPDATE {table} SET {column} = %s || {column} WHERE {column} IS NOT NULL",
                                (HOSTILE,))
                    changed.append((table, column))
            for table, columns in JSON_KEYS.items():
                for column in columns:
                    cur.execute(f"""UPDATE {table} SET {column} = (SELECT jsonb_object_agg(%s || key, value)
                                                                  FROM jsonb_each({column}))
                                    WHERE jsonb_typeof({column}) = 'object' AND {column} <> '{{}}'::jsonb""",
                                (HOSTILE,))
                    changed.append((table, column))
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT refresh_stored_answers(interval '0')")
    finally:
        conn.close()
    return changed


@pytest.fixture(scope="session")
def hostile_url(databases):
    """The hostile database (a few weeks of demo data, so there are open positions too)."""
    from tests.conftest import DEMO_AS_OF

    url = databases.create("hostile", with_schema=False)
    changed = load(url, DEMO_AS_OF, scale=0.05)
    assert len(changed) == sum(map(len, TEXT_COLUMNS.values())) + sum(map(len, JSON_KEYS.values()))
    return url


# --- what a page shows ------------------------------------------------------------------------
def hidden_characters(text: str, allowed: str = "\t\n\r") -> list[str]:
    """Characters that hide or reorder text (format, control, line/paragraph separators)."""
    return [f"U+{ord(c):04X}" for c in text
            if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in allowed]


def read_escapes(body: str) -> tuple[str, list[bool]]:
    """A markdown body as the characters it renders, and for each whether it was backslash-escaped."""
    chars, escaped, i = [], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in _PUNCTUATION:
            chars.append(body[i + 1])
            escaped.append(True)
            i += 2
        else:
            chars.append(body[i])
            escaped.append(False)
            i += 1
    return "".join(chars), escaped


_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# An address GitHub-flavoured markdown would make a link of: scheme or www. at a word start, or
# text@domain. (A word joiner, U+2060, between the parts stops it.)
_LINKABLE = re.compile(r"(?i)(https?://[\w-]|(?<![\w\u2060])www\.|[\w.+-]@[\w-]+\.)")


def linkable(body: str) -> str | None:
    """An address in a markdown body that GitHub-flavoured markdown would make a link of."""
    found = _LINKABLE.search(read_escapes(body)[0])
    return found.group(0) if found else None


def markdown_problems(where: str, body: str) -> list[str]:
    problems = [f"{where}: hidden character {c}" for c in hidden_characters(body, "\t\n\r\u2060")]
    rendered, escaped = read_escapes(body)
    for fragment in MARKDOWN_FRAGMENTS:
        start = rendered.find(fragment)
        while start >= 0:
            live = [rendered[i] for i in range(start, start + len(fragment))
                    if rendered[i] in _PUNCTUATION and not escaped[i]]
            if live:
                problems.append(f"{where}: {fragment!r} is live markdown ({''.join(live)!r} not escaped)")
            start = rendered.find(fragment, start + 1)
    if linkable(body):
        problems.append(f"{where}: an address markdown would link: {linkable(body)!r}")
    return problems


def plain_problems(where: str, text: str) -> list[str]:
    return [f"{where}: hidden character {c}" for c in hidden_characters(text)]


def chart_problems(where: str, spec: dict) -> tuple[list[str], int]:
    """Problems in a Plotly spec's strings, and how many strings hold the hostile text escaped."""
    problems, escaped = [], 0

    def walk(value, path):
        nonlocal escaped
        if isinstance(value, dict):
            for key, item in value.items():
                if key != "template":  # Plotly's own
                    walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for item in value:
                walk(item, path)
        elif isinstance(value, str):
            escaped += ESCAPED_IN_CHARTS in value
            problems.extend(f"{where}{path}: {fragment!r} reaches Plotly as markup" for fragment in CHART_FRAGMENTS
                            if fragment in value)
            problems.extend(f"{where}{path}: hidden character {c}" for c in hidden_characters(value))

    walk(spec, "")
    return problems, escaped


def frame_problems(where: str, frame: pd.DataFrame) -> list[str]:
    problems = [p for c in frame.columns if isinstance(c, str) for p in plain_problems(f"{where} column", c)]
    for column in frame.columns:
        for value in frame[column]:
            if isinstance(value, str):
                problems.extend(plain_problems(f"{where}[{column}]", value))
    return problems


MARKDOWN_ELEMENTS = {"markdown", "caption", "title", "header", "subheader", "divider", "success", "info", "warning",
                     "error", "exception", "toast", "latex"}


def inert_problems(at) -> tuple[list[str], dict[str, int]]:
    """Every surface of an AppTest run: (problems found, how many surfaces showed hostile text)."""
    problems: list[str] = []
    seen = {"markdown": 0, "plain": 0, "chart": 0, "table": 0}

    def hostile_shown(text: str) -> bool:
        return "javascript" in text or "example.invalid" in text or "example\\.invalid" in text

    for node in _nodes(at._tree):
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        where = f"{kind} {getattr(node, 'key', '') or ''}".strip()
        if kind in MARKDOWN_ELEMENTS and hasattr(node, "value") and isinstance(node.value, str):
            problems += markdown_problems(where, node.value)
            seen["markdown"] += hostile_shown(node.value)
        for field in ("label", "help", "placeholder"):
            value = getattr(proto, field, None) if proto is not None else None
            if isinstance(value, str) and value:
                problems += markdown_problems(f"{where}.{field}", value)
                seen["markdown"] += hostile_shown(value)
        if kind in ("text", "code", "json") and proto is not None:
            body = getattr(proto, "body", None) or getattr(proto, "code_text", None) or ""
            problems += plain_problems(where, body)
            seen["plain"] += hostile_shown(body)
        if kind in ("selectbox", "multiselect", "radio") and proto is not None:
            for option in proto.options:
                problems += plain_problems(f"{where} option", option)
                seen["plain"] += hostile_shown(option)
        if kind == "plotly_chart":
            found, escaped = chart_problems(where, json.loads(proto.spec))
            problems += found
            seen["chart"] += escaped
        if kind == "table":  # st.table: every cell and column name is markdown
            frame = node.value
            for text in [*map(str, frame.columns), *(str(v) for v in frame.to_numpy().ravel())]:
                problems += markdown_problems(f"{where} cell", text)
                seen["table"] += hostile_shown(text)
        if kind == "dataframe":
            frame = node.value
            problems += frame_problems(where, frame)
            seen["table"] += any(hostile_shown(str(c)) for c in frame.columns) or bool(
                frame.astype(str).apply(lambda col: col.map(hostile_shown)).to_numpy().any())
    return problems, seen


def _nodes(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _nodes(child)
