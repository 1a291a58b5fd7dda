"""python -m bench [--quick] [--scale YEARS] [--no-browser | --browser-only] [--restart-cmd CMD]

Prints one table (page data against the floor, the seed's SQL and a naive dashboard; Chromium
ready times; server memory under 20 sessions) and writes it all as JSON to bench/results/.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def progress(line: str) -> None:
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0, help="years of demo data (default %(default)s)")
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("QUICK")),
                        help="fewer runs and filter sets (default filters only), fewer browser sessions")
    parser.add_argument("--runs", type=int, default=None, help="warm runs per question (default 20; quick 5)")
    parts = parser.add_mutually_exclusive_group()
    parts.add_argument("--no-browser", action="store_true", help="skip the Chromium and memory part")
    parts.add_argument("--browser-only", action="store_true", help="only the Chromium and memory part")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions for the memory figure")
    parser.add_argument("--restart-cmd", default=os.environ.get("PRECOG_BENCH_RESTART_CMD"),
                        help="shell command that restarts the database server, run before each cold call "
                             "(without it, cold = fresh connections on a running server)")
    args = parser.parse_args(argv)
    warm_runs = args.runs or (5 if args.quick else 20)
    cold_runs = 2 if args.quick else 3
    side_runs = 2 if args.quick else 3   # seed's SQL and floor
    naive_runs = 1 if args.quick else 3
    wire_runs = 5 if args.quick else 15  # sub-millisecond statements: more runs for a steady median

    # Streamlit warns once per cached function when no app is running; the bench calls the
    # undecorated functions, so the warnings say nothing here.
    from streamlit.runtime.caching import cache_data_api
    logging.getLogger(cache_data_api.__name__).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    from bench import dataset

    url = dataset.database_url()
    os.environ["PRECOG_DATABASE_URL"] = url  # the page functions read the same database
    rows = dataset.ensure(url, args.scale, progress)

    from bench import cases, measure

    cold_label = ("after a server restart (--restart-cmd)" if args.restart_cmd else
                  "first call on fresh connections (pools emptied: new backends with empty catalog and "
                  "plan caches, as DISCARD ALL + reconnect); the server was not restarted (shared server), so "
                  "its buffers and the OS cache stay warm")
    questions = cases.questions()
    if args.quick:
        questions = [q for q in questions if q.filters.startswith("default")]
    if args.browser_only:
        questions = []
    results = []
    started = time.perf_counter()
    for number, question in enumerate(questions, start=1):
        progress(f"[bench] {number:2}/{len(questions)} {question.key}")
        entry = {"page": question.page, "filters": question.filters}
        entry["cold"] = measure.cold(question, cold_runs, url, args.restart_cmd)
        entry["warm"] = measure.warm(question, warm_runs)
        progress(f"[bench]      page data: warm p50 {entry['warm']['p50_ms']:.1f} ms, "
                 f"p95 {entry['warm']['p95_ms']:.1f} ms; cold p50 {entry['cold']['p50_ms']:.1f} ms")
        entry["floor"] = measure.floor(question, url, side_runs)
        entry["wire_floor"] = measure.wire_floor(question, url, wire_runs)
        entry["seed"] = measure.seed(question, url, side_runs)
        progress(f"[bench]      floor {entry['floor']['ms']:.1f} ms; wire floor {entry['wire_floor']['ms']:.1f} ms"
                 + (f"; seed's SQL p50 {entry['seed']['p50_ms']:.1f} ms" if entry["seed"] else "")
                 + "; naive dashboard ...")
        entry["naive"] = measure.naive(question, url, naive_runs)
        if entry["naive"]:
            progress(f"[bench]      naive p50 {entry['naive']['p50_ms']:.0f} ms")
        results.append(entry)
    database_seconds = time.perf_counter() - started

    report = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "database": {"rows": rows, "scale_years": args.scale, "settings": measure.server_settings()},
        "method": {"warm_runs": warm_runs, "cold_runs": cold_runs, "seed_runs": side_runs, "floor_runs": side_runs,
                   "wire_floor_runs": wire_runs,
                   "naive_runs": naive_runs, "cold": cold_label, "quick": args.quick,
                   "floor": "sum over the page's statements of the median EXPLAIN (ANALYZE) execution time of the "
                            "minimal statement for the same rows (the page's own where it is already that)",
                   "wire_floor": "sum over the page's statements of the median time of the floor statement sent from "
                                 "a bare psycopg2 connection as the page sends it (prepared, or planned per call, "
                                 "or COPY), rows fetched as tuples or bytes, no DataFrame"},
        "pages": results,
        "database_part_seconds": round(database_seconds, 1),
        "browser": None,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(report, indent=2, default=str))  # kept if the browser part fails
    progress(f"[bench] database part written to {path}")
    if not args.no_browser:
        from bench import browser as chromium

        report["browser"] = chromium.measure(url, runs=3 if args.quick else 9,
                                             sessions=min(args.sessions, 5) if args.quick else args.sessions,
                                             progress=progress)
        path.write_text(json.dumps(report, indent=2, default=str))
    print()
    print(table(report))
    print(f"\nCold: {cold_label}.")
    print("Server settings seen by the dashboard's sessions: "
          + ", ".join(f"{k} {v}" for k, v in report["database"]["settings"].items()))
    print(f"Written to {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 0


def _ms(value) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _ratio(a, b, places: int = 1) -> str:
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:,.{places}f}×"


def table(report: dict) -> str:
    """The results as one Markdown table (pages), plus the browser figures."""
    lines = ["| page | filters | warm p50 | warm p95 | cold p50 | cold p95 | floor | page ÷ floor "
             "| wire floor | wire ÷ floor | page ÷ wire | seed's SQL | seed ÷ page | naive | naive ÷ page |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in report["pages"]:
        warm, cold, fl = r["warm"], r["cold"], r["floor"]["ms"]
        wire = r["wire_floor"]["ms"] if r.get("wire_floor") else None
        seed = r["seed"]["p50_ms"] if r["seed"] else None
        naive = r["naive"]["p50_ms"] if r["naive"] else None
        lines.append(f"| {r['page']} | {r['filters']} | {_ms(warm['p50_ms'])} | {_ms(warm['p95_ms'])} "
                     f"| {_ms(cold['p50_ms'])} | {_ms(cold['p95_ms'])} | {_ms(fl)} | {_ratio(warm['p50_ms'], fl)} "
                     f"| {_ms(wire)} | {_ratio(wire, fl)} | {_ratio(warm['p50_ms'], wire)} | {_ms(seed)} | {_ratio(seed, warm['p50_ms'])} | {_ms(naive)} | {_ratio(naive, warm['p50_ms'])} |")
    lines.append("")
    lines.append("Times in ms. page = the queries/ functions the page calls, in order, through the dashboard's own "
                 "connection pool into DataFrames; floor = the server's execution "
                 "time (EXPLAIN ANALYZE); wire floor = the same statements from a bare psycopg2 client, no DataFrame.")
    browser = report.get("browser")
    if browser:
        from bench.browser import EMPTY, LINKED

        lines += ["", "| page | ready, first load (ms) | ready p50 (ms) | ready p95 (ms) | ÷ empty page p50 "
                      "| ÷ empty page opened by its link |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        empty = browser["pages"][EMPTY]["p50_ms"]
        linked = browser["pages"].get(LINKED, {}).get("p50_ms")
        for name, r in browser["pages"].items():
            lines.append(f"| {name} | {_ms(r['first_ms'])} | {_ms(r['p50_ms'])} | {_ms(r['p95_ms'])} "
                         f"| {_ratio(r['p50_ms'], empty, 2)} | {_ratio(r['p50_ms'], linked, 2)} |")
        mem = browser["memory"]
        lines.append("")
        lines.append(f"Streamlit server resident size: {mem['idle_mb']:.0f} MB after start, "
                     f"{mem['after_sessions_mb']:.0f} MB with {mem['sessions']} concurrent sessions that each "
                     f"opened every page ({mem['session_seconds']:.0f} s).")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
