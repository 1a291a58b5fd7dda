"""python -m bench.install [--scale YEARS] [--keep]: how long `--check` and the install take on a
Precog database the trading system made, and how long its writes are held up meanwhile.

The database the trading system makes from the schema document cannot be loaded with the demo
generator (which writes schema.sql's tables), so it is made the way an operator's would be: the
benchmark's demo database (bench/dataset.py, loaded when missing) is copied, column by column of
the schema document's CREATE statements (tests/seed_schema.sql), into a new database made from
those statements. markets and positions have their business key as primary key there, so they
hold one row per key (the current one), as such a database does; every other table is copied whole.

Then: a fingerprint of every original row, `--check`, and the install while a writer does what the
trading system does every few seconds (an edge, SCD Type 2, and a trade on it) every 50 ms; every
write's time from BEGIN to COMMIT is recorded. The writer keeps to rows it made itself, so the
fingerprint of the original rows must come out the same. Results: bench/results/install-*.json.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from statistics import median

from sqlalchemy.engine import make_url

from bench import dataset
from queries import catalog, install
from queries.connection import connect, drop_database, ensure_database

RESULTS = Path(__file__).resolve().parent / "results"
SEED_SCHEMA = Path(__file__).resolve().parent.parent / "tests" / "seed_schema.sql"
ONE_ROW_PER_KEY = {"markets": "row_current_ind", "positions": "row_current_ind"}


def seed_made_copy(source_url: str, progress=print) -> tuple[str, dict[str, int]]:
    """A new database from the schema document's CREATE statements holding the source's rows, and
    its row counts."""
    parsed = make_url(source_url)
    name = f"{parsed.database}_seedmade"
    server = parsed.set(database="postgres").render_as_string(hide_password=False)
    drop_database(server, name)
    ensure_database(server, name)
    target_url = parsed.set(database=name).render_as_string(hide_password=False)
    target = connect(target_url)
    source = connect(source_url)
    try:
        with target, target.cursor() as cur:
            cur.execute(SEED_SCHEMA.read_text())
            seed = catalog.read(cur)
        order = [t for t in _creation_order() if t in catalog.tables(seed)]
        counts: dict[str, int] = {}
        with source.cursor() as src:
            src.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
            present = {t for (t,) in src.fetchall()}
        for table in order:
            if table not in present:
                continue
            columns = ", ".join(f'"{c}"' for c in catalog.tables(seed)[table]["columns"])
            where = f" WHERE {ONE_ROW_PER_KEY[table]}" if table in ONE_ROW_PER_KEY else ""
            started = time.perf_counter()
            with tempfile.TemporaryFile() as buffer:
                with source.cursor() as src:
                    src.copy_expert(f'COPY (SELECT {columns} FROM "{table}"{where}) TO STDOUT (FORMAT binary)', buffer)
                buffer.seek(0)
                with target, target.cursor() as cur:
                    cur.copy_expert(f'COPY "{table}" ({columns}) FROM STDIN (FORMAT binary)', buffer)
                    cur.execute(f'SELECT count(*) FROM "{table}"')
                    rows = counts[table] = cur.fetchone()[0]
            progress(f"[install bench]   {table}: {rows:,} rows in {time.perf_counter() - started:.1f} s")
        with target, target.cursor() as cur:  # sequences past the copied ids, as the trading system's would be
            for sequence, owner in seed["sequences"].items():
                cur.execute(f'SELECT setval(%s, coalesce((SELECT max("{owner["column"]}") FROM "{owner["table"]}"), 0) + 1, false)',
                            (sequence,))
        target.autocommit = True
        with target.cursor() as cur:
            cur.execute("VACUUM (ANALYZE)")
    finally:
        source.close()
        target.close()
    return target_url, counts


def _creation_order() -> list[str]:
    text = SEED_SCHEMA.read_text()
    return [line.split()[2] for line in text.splitlines() if line.startswith("CREATE TABLE ")]


def fingerprint(url: str, columns: dict[str, list[str]], limits: dict[str, tuple[str, int]]) -> dict[str, list]:
    """(rows, md5) per table over the given columns; `limits` keeps a table to its original ids."""
    out = {}
    conn = connect(url)
    try:
        with conn, conn.cursor() as cur:
            for table, cols in sorted(columns.items()):
                row = "row(" + ", ".join(f'"{c}"' for c in cols) + ")::text"
                where = f' WHERE "{limits[table][0]}" <= {limits[table][1]}' if table in limits else ""
                cur.execute(f"SELECT count(*), coalesce(md5(string_agg(md5({row}), '' ORDER BY md5({row}))), '') "
                            f'FROM "{table}"{where}')
                out[table] = list(cur.fetchone())
    finally:
        conn.close()
    return out


class TradingWriter(threading.Thread):
    """The trading system's writes, every `interval` seconds: a new current edge (and its previous
    one closed) on a key of its own, and a trade on it; each transaction's duration recorded."""

    def __init__(self, url: str, interval: float):
        super().__init__(daemon=True)
        self.url, self.interval = url, interval
        self.stop = threading.Event()
        self.durations: list[tuple[float, float]] = []   # (started at, seconds)
        self.failures: list[str] = []

    def run(self) -> None:
        conn = connect(self.url)
        with conn, conn.cursor() as cur:
            cur.execute("SELECT market_id, platform_id FROM markets ORDER BY market_id LIMIT 1")
            self.market_id, self.platform_id = cur.fetchone()
        n = 0
        while not self.stop.is_set():
            n += 1
            started = time.perf_counter()
            try:
                with conn, conn.cursor() as cur:
                    cur.execute("""
                        INSERT INTO edges (market_id, strategy_id, model_id, expected_value, true_win_probability,
                                           market_implied_probability, market_price, confidence_level, created_at)
                        VALUES (%s, NULL, NULL, 0.0500, 0.6000, 0.5500, 0.5500, 'low', now()) RETURNING edge_id""",
                                (self.market_id,))
                    (edge_id,) = cur.fetchone()
                    cur.execute("UPDATE edges SET row_current_ind = FALSE WHERE market_id = %s AND strategy_id IS NULL"
                                " AND model_id IS NULL AND row_current_ind AND edge_id <> %s", (self.market_id, edge_id))
                    cur.execute("INSERT INTO trades (market_id, platform_id, edge_id, order_id, side, price, quantity,"
                                " created_at) VALUES (%s, %s, %s, %s, 'buy', 0.5500, 1, now())",
                                (self.market_id, self.platform_id, edge_id, f"bench-{n}"))
                self.durations.append((started, time.perf_counter() - started))
            except Exception as error:  # noqa: BLE001 - a failed write is the finding
                self.failures.append(str(error).splitlines()[0])
            time.sleep(self.interval)
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.install", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0, help="years of demo data (default %(default)s)")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between the writer's transactions")
    parser.add_argument("--keep", action="store_true", help="keep the copied database afterwards")
    args = parser.parse_args(argv)

    source = dataset.database_url()
    dataset.ensure(source, args.scale, print)
    started = time.perf_counter()
    url, sizes = seed_made_copy(source)
    copy_seconds = time.perf_counter() - started
    conn = connect(url)
    with conn, conn.cursor() as cur:
        columns = {t: list(r["columns"]) for t, r in catalog.tables(catalog.read(cur)).items()}
        cur.execute("SELECT max(edge_id) FROM edges")
        max_edge = cur.fetchone()[0] or 0
        cur.execute("SELECT max(trade_id) FROM trades")
        max_trade = cur.fetchone()[0] or 0
    conn.close()
    limits = {"edges": ("edge_id", max_edge), "trades": ("trade_id", max_trade)}

    timings: dict[str, float] = {}
    t = time.perf_counter()
    before = fingerprint(url, columns, limits)
    timings["fingerprint"] = time.perf_counter() - t
    t = time.perf_counter()
    plan = install.plan(url)
    timings["check"] = time.perf_counter() - t
    print(install.describe(plan))

    writer = TradingWriter(url, args.interval)
    writer.start()
    time.sleep(2)
    phases: list[tuple[float, str]] = []
    t = time.perf_counter()
    install.install(url, progress=lambda line: phases.append((time.perf_counter() - t, line.strip())))
    timings["install"] = time.perf_counter() - t
    time.sleep(2)
    writer.stop.set()
    writer.join()
    after = fingerprint(url, columns, limits)

    during = [d for s, d in writer.durations if t <= s <= t + timings["install"]]
    result = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "scale": args.scale, "rows": sizes, "copy_seconds": round(copy_seconds, 1),
        "fingerprint_seconds": round(timings["fingerprint"], 2),
        "check_seconds": round(timings["check"], 2), "install_seconds": round(timings["install"], 2),
        "phases": [(round(s, 2), line) for s, line in phases],
        "writes_during_install": len(during), "writer_failures": writer.failures,
        "write_seconds_during_install": {
            "median": round(median(during), 4) if during else None,
            "p99": round(sorted(during)[int(0.99 * (len(during) - 1))], 4) if during else None,
            "max": round(max(during), 3) if during else None},
        "write_seconds_before": round(median([d for s, d in writer.durations if s < t]), 4),
        "original_rows_unchanged": before == after,
        "violations": [v.rule for v in plan.violations],
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"install-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=1))
    print(f"[install bench] written to {path}")
    if not args.keep:
        parsed = make_url(url)
        drop_database(parsed.set(database="postgres").render_as_string(hide_password=False), parsed.database)
    return 0 if result["original_rows_unchanged"] and not writer.failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
