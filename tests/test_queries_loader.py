"""The query loader: comments never reach the bind step (they could carry a `:name`), and the frame
built from typed columns is the one pandas infers."""
from __future__ import annotations

import pandas as pd
import psycopg2
import pytest
import sqlalchemy as sa

from queries import frame_from_rows, schema, statement, strip_comments


def test_comments_go_and_literals_stay():
    sql = ("-- header :x\nSELECT '--not a comment', \"we--ird\", $$ -- kept $$, 1 /* :y */ + 2 -- tail :z\n"
           "FROM t WHERE a = 'it''s -- fine'")
    stripped = strip_comments(sql)
    assert ":x" not in stripped and ":y" not in stripped and ":z" not in stripped
    assert "'--not a comment'" in stripped and '"we--ird"' in stripped and "$$ -- kept $$" in stripped
    assert "'it''s -- fine'" in stripped


def test_a_value_with_a_newline_cannot_escape_a_comment(demo_url):
    """The attack: a header comment names :who; the value closes the comment and adds SQL."""
    hostile = "x\nCREATE TEMP TABLE injected_by_comment(x int); --"
    engine = sa.create_engine(demo_url)
    with engine.connect() as conn:
        echoed = conn.execute(statement("-- parameters: :who\nSELECT CAST(:who AS text)"), {"who": hostile}).scalar()
        created = conn.execute(sa.text("SELECT to_regclass('pg_temp.injected_by_comment')")).scalar()
    engine.dispose()
    assert echoed == hostile
    assert created is None



# Every type the dashboard's queries return (a value, its type), each with no NULL, some NULLs and
# only NULLs.
TYPED_COLUMNS = [("1", "int2"), ("1", "int4"), ("2^40", "int8"), ("1.5", "float4"), ("1.25", "float8"),
                 ("true", "bool"), ("'x'", "text"), ("'x'", "varchar"), ("'x'", "char(2)"), ("'x'", "name"),
                 ("1.25", "numeric(10,4)"), ("'2026-01-02'", "date"), ("'2026-01-02 03:04:05'", "timestamp"),
                 ("'2026-01-02 03:04:05+00'", "timestamptz"), ("'1 day'", "interval"), ("'{1,2}'", "int[]"),
                 ("'{\"a\": 1}'", "jsonb"), ("'NaN'", "float8"), ("'-Infinity'", "float4"), ("'NaN'", "numeric"),
                 ("'infinity'", "date"), ("'infinity'", "timestamp"), ("9223372036854775807", "int8")]


@pytest.mark.parametrize("nulls", ["none", "some", "all"])
def test_a_frame_from_typed_columns_is_the_frame_pandas_infers(demo_url, nulls):
    """queries.frame_from_rows skips pandas' inference where the column's type decides it; the frame
    must be the one pd.DataFrame(rows, columns) gives, dtypes and values alike."""
    value = {"none": "CAST({0} AS {1})", "some": "CASE WHEN g = 2 THEN NULL ELSE CAST({0} AS {1}) END",
             "all": "CAST(NULL AS {1})"}[nulls]
    columns = ", ".join(value.format(sql, type_) + f" AS c{i}" for i, (sql, type_) in enumerate(TYPED_COLUMNS))
    conn = psycopg2.connect(schema.dsn(demo_url), options="-c timezone=UTC")
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT {columns} FROM generate_series(1, 3) g")
            rows, description = cur.fetchall(), cur.description
    finally:
        conn.close()
    expected = pd.DataFrame(rows, columns=[c.name for c in description])
    assert len(expected.columns) == len(TYPED_COLUMNS)
    pd.testing.assert_frame_equal(frame_from_rows(rows, description), expected)
    assert {"none": "int64", "some": "float64", "all": "object"}[nulls] == str(expected.c1.dtype)  # the cases differ


def test_a_frame_with_no_rows_or_repeated_names_is_pandas_own(demo_url):
    conn = psycopg2.connect(schema.dsn(demo_url))
    try:
        with conn.cursor() as cur:
            for sql in ("SELECT 1 AS a, 'x' AS b WHERE false", "SELECT 1 AS a, 2 AS a, 'x' AS b"):
                cur.execute(sql)
                rows, description = cur.fetchall(), cur.description
                pd.testing.assert_frame_equal(frame_from_rows(rows, description),
                                              pd.DataFrame(rows, columns=[c.name for c in description]))
    finally:
        conn.close()
