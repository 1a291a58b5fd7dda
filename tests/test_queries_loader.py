"""The query loader: comments never reach the bind step (they could carry a `:name`)."""
from __future__ import annotations

import sqlalchemy as sa

from queries import statement, strip_comments


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

