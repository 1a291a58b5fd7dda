"""Database text inside Streamlit elements whose body is markdown (st.success, st.warning, ...).

Streamlit escapes HTML in markdown already; this also backslash-escapes every ASCII punctuation
character (CommonMark allows it for all of them), so `**x**`, `[x](y)`, `:red[x]`, `$x$` and
`:material/x:` show literally. For whole blocks of database text prefer st.text or st.dataframe.
"""
from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def literal(text: object) -> str:
    """`text` escaped so that markdown renders exactly these characters; line breaks kept."""
    return _PUNCTUATION.sub(r"\\\1", str(text))
