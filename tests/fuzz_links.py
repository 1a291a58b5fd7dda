"""The link fuzzer's counts over every page, for a report: `python -m tests.fuzz_links [links per page]`
with PRECOG_DATABASE_URL naming a database with data (its owner's URL: it reads what was written).

Each page is opened under AppTest with links drawn by tests/test_fuzz.py's generators (the same
keys and values as test_every_page_takes_any_link, many more of them), and counted: loads (no
exception, no error), one-sentence warnings about the link (printable, markdown-inert, no link),
errors, and links after which anything was written to the database."""
from __future__ import annotations

import os
import sys
from collections import Counter

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st


def main(per_page: int) -> int:
    import streamlit

    from queries import connection
    from tests.apptest import open_page
    from tests.hostile import linkable
    from tests.test_fuzz import PAGE_KEYS, active_markdown, link_value, written

    owner = os.environ["PRECOG_DATABASE_URL"]
    os.environ["PRECOG_DATABASE_URL"] = connection.dashboard_login(owner)  # the app logs in as deployed
    os.environ["PRECOG_REFRESH_SECONDS"] = "0"
    counts = {page: Counter() for page in PAGE_KEYS}
    problems: list[tuple] = []

    def fuzz(page: str) -> None:
        @settings(max_examples=per_page, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(params=st.dictionaries(st.sampled_from(PAGE_KEYS[page]), link_value, min_size=1,
                                      max_size=len(PAGE_KEYS[page])))
        def one(params):
            streamlit.cache_data.clear()
            before, count = written(owner), counts[page]
            count["links"] += 1
            at = open_page(page, **params)
            failed = [e.value for e in at.exception] + [e.value for e in at.error]
            count["errors" if failed else "loads"] += 1
            problems.extend((page, params, f) for f in failed)
            for warning in (w.value for w in at.warning if w.value.startswith("The link's ")):
                inert = (warning.replace("\u2060", "").isprintable() and warning.endswith(".")
                         and not active_markdown(warning) and not linkable(warning))
                count["one-sentence warnings" if inert else "other warnings"] += 1
                if not inert:
                    problems.append((page, params, warning))
            if written(owner) != before:
                count["writes"] += 1
                problems.append((page, params, "wrote to the database"))

        one()

    for page in PAGE_KEYS:
        fuzz(page)
        print(page, dict(counts[page]), flush=True)
    print("all pages", dict(sum(counts.values(), Counter())))
    for problem in problems[:20]:
        print("problem:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 150))
