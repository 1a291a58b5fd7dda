"""What a database holds in its `public` schema, read from PostgreSQL's catalogs.

One reader serves both sides of an install: the shape schema.sql makes (read once from a scratch
database and shipped as queries/schema_target.json) and the shape of the database being installed
into. queries/install.py compares the two.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TARGET_FILE = Path(__file__).resolve().parent / "schema_target.json"

# Tables and what is on them. Constraint kinds: p primary key, u unique, c check, f foreign key,
# x exclusion, t constraint trigger.
_TABLES = """
SELECT c.relname, c.relkind
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
ORDER BY 1
"""
_COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attnum
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, a.attnum
"""
_CONSTRAINTS = """
SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid), k.convalidated, k.condeferrable,
       ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o)::text[],
       r.relname,
       ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o)::text[],
       CASE WHEN k.contype = 'c' THEN pg_get_expr(k.conbin, k.conrelid) END,
       CASE WHEN k.contype = 'x' THEN
            ARRAY(SELECT pg_get_indexdef(k.conindid, n, true) FROM generate_series(1, i.indnatts) n)::text[] END,
       CASE WHEN k.contype = 'x' THEN pg_get_expr(i.indpred, i.indrelid, true) END
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
LEFT JOIN pg_class r ON r.oid = k.confrelid
LEFT JOIN pg_index i ON i.indexrelid = k.conindid
WHERE c.relnamespace = 'public'::regnamespace
ORDER BY 1, 2
"""
_INDEXES = """
SELECT c.relname, x.relname, pg_get_indexdef(i.indexrelid), i.indisunique, i.indisvalid,
       (SELECT k.conname FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_class x ON x.oid = i.indexrelid
WHERE c.relnamespace = 'public'::regnamespace
ORDER BY 1, 2
"""
_TRIGGERS = """
SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled::text
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
ORDER BY 1, 2
"""
_VIEWS = """
SELECT c.relname, c.relkind, pg_get_viewdef(c.oid, true)
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('v', 'm')
ORDER BY 1
"""
# Functions of the schema that no extension brought.
_FUNCTIONS = """
SELECT p.oid::regprocedure::text, p.prokind::text
FROM pg_proc p
WHERE p.pronamespace = 'public'::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                  AND d.deptype = 'e')
ORDER BY 1
"""
_SEQUENCES = """
SELECT s.relname, t.relname, a.attname
FROM pg_class s
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
                      AND d.refclassid = 'pg_class'::regclass
LEFT JOIN pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE s.relnamespace = 'public'::regnamespace AND s.relkind = 'S'
ORDER BY 1
"""
_STATISTICS = """
SELECT s.stxname FROM pg_statistic_ext s WHERE s.stxnamespace = 'public'::regnamespace ORDER BY 1
"""


def read(cur) -> dict[str, Any]:
    """The public schema of the database behind psycopg2 cursor `cur`, as plain data (JSON-able)."""
    relations: dict[str, dict[str, Any]] = {}
    cur.execute(_TABLES)
    for name, kind in cur.fetchall():
        relations[name] = {"kind": kind, "columns": {}, "constraints": {}, "indexes": {}, "triggers": {}}
    cur.execute(_COLUMNS)
    for table, column, type_, not_null, default, position in cur.fetchall():
        relations[table]["columns"][column] = {"type": type_, "not_null": not_null, "default": default,
                                               "position": position}
    cur.execute(_CONSTRAINTS)
    for (table, name, kind, definition, validated, deferrable, columns, ref_table, ref_columns, check,
         keys, predicate) in cur.fetchall():
        relations[table]["constraints"][name] = {
            "kind": kind, "definition": definition, "validated": validated, "deferrable": deferrable,
            "columns": columns, "ref_table": ref_table, "ref_columns": ref_columns or [],
            "check": check, "keys": keys, "predicate": predicate}
    cur.execute(_INDEXES)
    for table, name, definition, unique, valid, constraint in cur.fetchall():
        relations[table]["indexes"][name] = {"definition": definition, "unique": unique, "valid": valid,
                                             "constraint": constraint}
    cur.execute(_TRIGGERS)
    for table, name, definition, enabled in cur.fetchall():
        relations[table]["triggers"][name] = {"definition": definition, "enabled": enabled}
    cur.execute(_VIEWS)
    for name, _kind, definition in cur.fetchall():
        relations[name]["view"] = definition
    cur.execute(_FUNCTIONS)
    functions = {signature: kind for signature, kind in cur.fetchall()}
    cur.execute(_SEQUENCES)
    sequences = {name: {"table": table, "column": column} for name, table, column in cur.fetchall()}
    cur.execute(_STATISTICS)
    statistics = [name for (name,) in cur.fetchall()]
    return {"relations": relations, "functions": functions, "sequences": sequences, "statistics": statistics}


def tables(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ordinary tables of a catalog."""
    return {name: r for name, r in catalog["relations"].items() if r["kind"] in ("r", "p")}


def target() -> dict[str, Any]:
    """The shape schema.sql makes (queries/schema_target.json; tests/test_install.py keeps it current)."""
    return json.loads(TARGET_FILE.read_text())


def write_target(catalog: dict[str, Any]) -> None:
    TARGET_FILE.write_text(json.dumps(catalog, indent=1, sort_keys=True) + "\n")
