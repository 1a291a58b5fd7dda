"""The README and docs/ stay true (as datasette's tests keep its docs): every setting the code reads
is documented, every documented setting is read, and every command and file the README names exists."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CODE = [*PROJECT.glob("*.py"), *PROJECT.glob("pages/*.py"), *PROJECT.glob("queries/*.py"),
        *PROJECT.glob("analytics/*.py"), *PROJECT.glob("ui/*.py"), *PROJECT.glob("demo/*.py"), *PROJECT.glob("bench/*.py")]
README = (PROJECT / "README.md").read_text()
DOCS = README + "".join(p.read_text() for p in sorted(PROJECT.glob("docs/*.md")))
SECRETS_EXAMPLE = (PROJECT / ".streamlit" / "secrets.toml.example").read_text()

# A setting is named in code as a string ("PRECOG_..."), read in place or through a constant.
ENVIRONMENT = re.compile(r"""["'](PRECOG_[A-Z0-9_]+)["']""")
SECRETS = re.compile(r"""st\.secrets(?:\.get\(\s*|\[\s*)["']([A-Za-z_][\w.]*)["']""")


def settings_read() -> dict[str, set[str]]:
    """{environment variable or secrets key: files that read it}."""
    found: dict[str, set[str]] = {}
    for path in CODE:
        text = path.read_text()
        for match in ENVIRONMENT.finditer(text):
            found.setdefault(match.group(1), set()).add(path.name)
        for match in SECRETS.finditer(text):
            found.setdefault(f"secrets:{match.group(1)}", set()).add(path.name)
    return found


def test_the_scan_finds_the_settings_it_is_meant_to():
    found = settings_read()
    assert {"PRECOG_DATABASE_URL", "PRECOG_READ_URL", "PRECOG_LOCAL_ROLE"} <= set(found)
    assert ENVIRONMENT.search('x = os.environ.get("PRECOG_X", "")').group(1) == "PRECOG_X"
    assert ENVIRONMENT.search("LOCAL_ROLE = 'PRECOG_Y'").group(1) == "PRECOG_Y"
    assert SECRETS.search('st.secrets.get("roles", {})').group(1) == "roles"


def test_every_environment_variable_the_code_reads_is_documented():
    undocumented = {name: files for name, files in settings_read().items()
                    if not name.startswith("secrets:") and name.startswith("PRECOG_") and name not in DOCS}
    assert undocumented == {}


def test_every_secrets_section_the_code_reads_is_documented_and_in_the_example():
    sections = {name.split(":", 1)[1].split(".")[0] for name in settings_read() if name.startswith("secrets:")}
    sections |= {"connections"} if "connections" in (PROJECT / "queries" / "connection.py").read_text() else set()
    for section in sections:
        assert re.search(rf"^\[{re.escape(section)}[\].]", SECRETS_EXAMPLE, re.M), section
        assert f"[{section}" in DOCS, section


def test_every_documented_setting_is_read_somewhere():
    read = set(settings_read()) | {"PRECOG_TEST_DATABASE_URL"}  # read by tests/conftest.py
    documented = set(re.findall(r"\bPRECOG_[A-Z0-9_]+\b", DOCS))
    assert documented - read == set()


def test_every_command_the_readme_names_exists():
    targets = set(re.findall(r"^([a-z][\w-]*):", (PROJECT / "Makefile").read_text(), re.M))
    named_targets = set(re.findall(r"\bmake ([a-z][\w-]*)", README))
    assert named_targets and named_targets <= targets
    modules = set(re.findall(r"python -m ([\w.]+)", README))
    assert "queries.schema" in modules
    for module in modules:
        assert importlib.util.find_spec(module) is not None, module
    for option in set(re.findall(r"python -m queries\.schema (--[\w-]+)", README)):
        assert option in (PROJECT / "queries" / "schema.py").read_text(), option


def test_every_file_the_readme_and_docs_name_exists():
    named = set(re.findall(r"`((?:docs|tests|queries|bench|demo|ui|pages|analytics|\.streamlit)/[\w./-]+)`", DOCS))
    named |= set(re.findall(r"\]\(((?:docs/)[\w./-]+)\)", DOCS))
    assert named
    def exists(path: str) -> bool:
        if (PROJECT / path).exists() or "*" in path:
            return True
        module, _, _symbol = path.rpartition(".")  # ui/charts.line_mode: a name in ui/charts.py
        return bool(module) and (PROJECT / f"{module}.py").exists()

    # the operator's secrets (made from the example) and the benchmark's results (git ignores both)
    made_here = {p for p in named if p == ".streamlit/secrets.toml" or p.startswith("bench/results/")}
    assert sorted(p for p in named - made_here if not exists(p)) == []


def test_each_doc_says_what_it_covers_in_its_first_line():
    for path in PROJECT.glob("docs/*.md"):
        first = path.read_text().splitlines()[0]
        assert first.startswith("# ") and len(first) > 30, path.name
