"""Database text made inert: one function per place the dashboard shows text (a "sink").

Text from the database (names, versions, messages, notes, config keys) is data on every surface.
Each sink interprets something different, so each has its function, and every page uses them:

- `literal`: Streamlit markdown (st.markdown, st.caption, st.info/success/warning/error,
  st.subheader, st.toast, widget labels and help=). Markdown, LaTeX ($...$), colour and icon
  directives (:red[...], :material/x:) and bare addresses, which GitHub-flavoured markdown turns
  into links even when every character around them is escaped.
- `plain`: text Streamlit shows as it is (st.text, st.code, select options via format_func), and
  `plain_json` for st.json.
- `cells`: a dataframe's text cells and column names, as `plain` does.
- `chart`: Plotly text (titles, legends, tick labels, annotations, hover), a subset of HTML to
  plotly.js (<a href>, <b>, <br>), and %{...} placeholders in hover templates.
- `html_text`: the HTML report.

Every sink first shows as "\ufffd" each character that changes how the text around it reads
(`visible`): right-to-left overrides, embeddings and isolates, zero-width and other invisible
format characters, line and paragraph separators, control characters. A name holding U+202E
would otherwise reverse the dashboard's own words after it ("3 versions, 1 active"), and a
zero-width space makes two different names look the same. Tabs and line breaks are kept where the
sink shows them.
"""
from __future__ import annotations

import functools
import html
import json
import re
import sys
import unicodedata
import pandas as pd

REPLACEMENT = "\ufffd"
# U+2060 WORD JOINER: invisible, and it breaks GFM's autolinking of https://, www. and e-mail
# addresses (the link finder runs on the text after escapes are read, so escaping cannot).
WORD_JOINER = "\u2060"
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_ADDRESS = re.compile(r"(?i)(://|www(?=\.)|(?=@))")


@functools.cache
def _hiding(keep: str) -> re.Pattern:
    """The characters `visible` replaces: Unicode categories Cc (controls), Cf (format: bidi
    controls, zero-width characters, ...), Zl and Zp (line and paragraph separators), except those
    in `keep`. Computed from the running Python's Unicode tables, once (about 0.1 s)."""
    hidden = [chr(c) for c in range(sys.maxunicode + 1)
              if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp") and chr(c) not in keep]
    return re.compile("[" + "".join(re.escape(c) for c in hidden) + "]")


def visible(text: object, keep: str = "\t\n") -> str:
    """`text` with every character that would hide or reorder text shown as U+FFFD."""
    return _hiding(keep).sub(REPLACEMENT, str(text))


def literal(text: object) -> str:
    """`text` for a markdown body: renders exactly these characters, line breaks kept.

    Streamlit escapes HTML in markdown already; this backslash-escapes every ASCII punctuation
    character (CommonMark allows it for all of them), so `**x**`, `[x](y)`, `:red[x]`, `$x$` and
    `:material/x:` show literally, and puts a word joiner into '://', 'www.' and before '@', so an
    address in the text is not made a link."""
    return _PUNCTUATION.sub(r"\\\1", unlinked(visible(text, keep="\t\n")))


def unlinked(text: str) -> str:
    """`text` with a word joiner after '://' and 'www' and before '@': no address in it is a link."""
    return _ADDRESS.sub(lambda m: m.group(1) + WORD_JOINER, text)


def plain(text: object) -> str:
    """`text` for an element that shows text as it is (st.text, st.code, an option's label)."""
    return visible(text)


def plain_json(value: object) -> object:
    """A JSON value (dict, list, or JSON text) for st.json, its strings and keys as `plain` shows
    them (JSON text escapes control characters, so only format characters are left to replace)."""
    parsed = json.loads(value) if isinstance(value, str) else value  # its \u escapes read first
    return json.loads(visible(json.dumps(parsed, ensure_ascii=False, default=str), keep="\t\n\r"))


def cells(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its text cells and column names as `plain` shows them (a copy when anything
    changes). Numbers, dates and other cells are left as they are."""
    renamed = {c: plain(c) for c in frame.columns if isinstance(c, str) and _hiding("\t\n").search(c)}
    shown = frame.rename(columns=renamed) if renamed else frame
    texts = [c for c in shown.columns if shown[c].dtype == object or pd.api.types.is_string_dtype(shown[c])]
    changed = {}
    for column in texts:
        values = shown[column]
        if values.map(lambda v: isinstance(v, str) and _hiding("\t\n").search(v) is not None).any():
            changed[column] = values.map(lambda v: plain(v) if isinstance(v, str) else v)
    return shown.assign(**changed) if changed else shown


def chart(text: object) -> str:
    """`text` for Plotly (any title, legend entry, category, annotation or hover text): '<', '>'
    and '&' as entities (plotly.js shows them as characters, not tags), and the '%' of '%{' too,
    so text put into a hover template starts no placeholder. ($...$ would be maths only where
    MathJax is loaded: neither Streamlit nor the report loads it.)"""
    return html.escape(visible(text, keep=""), quote=False).replace("%{", "&#37;{")


def html_text(text: object) -> str:
    """`text` for the HTML report: visible, then escaped (quotes too: it may sit in an attribute)."""
    return html.escape(visible(text))
