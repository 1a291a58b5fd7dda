"""Running the dashboard under streamlit.testing's AppTest."""
from __future__ import annotations

import base64
import math
import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60  # the default 3 s is too short for a first query on a cold server


def open_page(page: str | None = None, *, secrets: dict | None = None, **query_params: str) -> AppTest:
    """Run app.py on `page` (its url path, e.g. "alerts"), with the given query parameters (and
    st.secrets sections, e.g. {"roles": {...}})."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for section, value in (secrets or {}).items():
        at.secrets[section] = value
    for key, value in query_params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(f"pages/{page}.py")
    return at.run()


def plotted(values) -> list:
    """A chart's x, y or customdata as sent to the browser (ui/charts.values: numbers as a typed
    array, NaN for missing) back as a list, None where missing."""
    if isinstance(values, dict) and "bdata" in values:
        numbers = np.frombuffer(base64.b64decode(values["bdata"]), dtype="<" + values["dtype"]).tolist()
        return [None if math.isnan(v) else v for v in numbers]
    return list(values)


def unescaped(markdown: str) -> str:
    """What a markdown body escaped by ui.text.literal reads as: its backslash escapes read, the
    word joiners it puts into addresses left out."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")
