"""How `make run` serves the dashboard (#25), tested on the command lines the Makefile itself runs
(`make -n run`: nothing installed, no demo data loaded) pointed at a small test database:
loopback only by default, a refusal in one sentence where an unsigned-in admin would be exposed or
the local role is unknown, no framing by another site (real Chromium), and the metrics closed."""
from __future__ import annotations

import asyncio
import http.server
import os
import shlex
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

import serving
from queries.connection import dashboard_login
from tests.browser import APPEARS_MS, chromium_page, free_port, screenshot, stop, wait_for_app, wait_until_healthy
from tests.test_alerts_database import new_alert, sql

PROJECT = Path(__file__).resolve().parent.parent
REFUSED_ADMIN = "The dashboard will not serve address 0.0.0.0 without sign-in: anyone who reached it would act as the local admin"


def make_run_lines(**variables: str) -> dict[str, list[str]]:
    """The commands `make run` would run with these variables, by what they do (the serving check,
    the streamlit server), with this test's Python in place of the project's .venv."""
    bin_dir = Path(sys.executable).parent
    printed = subprocess.run(["make", "-n", "run", f"BIN={bin_dir}", f"VENV={bin_dir.parent}",
                              *[f"{k}={v}" for k, v in variables.items()]],
                             cwd=PROJECT, capture_output=True, text=True, check=True).stdout.splitlines()
    lines = {}
    for line in printed:
        words = shlex.split(line)
        if words[1:3] == ["-m", "serving"]:
            lines["check"] = words
        elif len(words) > 2 and Path(words[0]).name == "streamlit" and words[1:3] == ["run", "app.py"]:
            lines["server"] = words
    assert set(lines) == {"check", "server"}, printed
    return lines


def environment(db: str, **more: str) -> dict[str, str]:
    env = {**os.environ, "PRECOG_DATABASE_URL": dashboard_login(db), **more}
    for name in ("PRECOG_LOCAL_ROLE", "PRECOG_AUTH_HEADER", "STREAMLIT_SERVER_ADDRESS"):
        if name not in more:
            env.pop(name, None)
    return env


def one_sentence_and_exit_2(result: subprocess.CompletedProcess, sentence: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    ours = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith(
        ("Did not auto detect", "Please go to", "20"))]  # Streamlit's own log lines about its network URL
    assert len(ours) == 1 and ours[0].startswith(sentence) and ours[0].endswith("."), result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@contextmanager
def server(words: list[str], env: dict[str, str], port: int):
    proc = subprocess.Popen(words, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", proc, lambda: proc.communicate(timeout=5)[0][-2000:])
        yield proc
    finally:
        stop(proc)


def listening(proc: subprocess.Popen, port: int) -> set[str]:
    """The addresses the server process (and its children) listens on at `port`."""
    pids = {proc.pid} | {child.pid for child in psutil.Process(proc.pid).children(recursive=True)}
    return {c.laddr.ip for c in psutil.net_connections("tcp")
            if c.pid in pids and c.status == psutil.CONN_LISTEN and c.laddr.port == port}


def outward_address() -> str | None:
    """This machine's address on its default route (no packet is sent), None without a network."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


@pytest.fixture(scope="module")
def db(databases):
    return databases.create("serving")


# --- the bind address ---------------------------------------------------------------------------
@pytest.mark.browser
def test_make_run_listens_on_loopback_only_and_chromium_reaches_it_there(db):
    port = free_port()
    lines = make_run_lines(PORT=str(port))
    assert subprocess.run(lines["check"], cwd=PROJECT, env=environment(db), capture_output=True).returncode == 0
    with server(lines["server"], environment(db), port) as proc:
        assert listening(proc, port) == {"127.0.0.1"}
        outward = outward_address()
        if outward is not None:  # a machine without a network has nothing else to reach it on
            with pytest.raises(OSError):
                socket.create_connection((outward, port), timeout=3).close()
        with chromium_page(1366, 768) as page:
            page.goto(f"http://127.0.0.1:{port}/")
            wait_for_app(page)
            assert "(admin, local mode — not signed in)" in page.locator("[data-testid='stSidebar']").inner_text()
            screenshot(page, "serving_loopback")
            if outward is not None:
                with pytest.raises(Exception, match="ERR_CONNECTION_REFUSED"):
                    page.goto(f"http://{outward}:{port}/")
                screenshot(page, "serving_network_refused")


@pytest.mark.parametrize("variables, env, sentence", [
    ({"ADDRESS": "0.0.0.0"}, {}, REFUSED_ADMIN),
    ({"ADDRESS": "0.0.0.0"}, {"PRECOG_LOCAL_ROLE": "responder"},
     "The dashboard will not serve address 0.0.0.0 without sign-in: anyone who reached it would act as the local responder"),
    ({}, {"STREAMLIT_SERVER_ADDRESS": ""}, "The dashboard will not serve every network interface without sign-in"),
    ({}, {"PRECOG_LOCAL_ROLE": "veiwer"}, "PRECOG_LOCAL_ROLE is 'veiwer', which is not a role"),
])
def test_make_run_refuses_in_one_sentence_before_starting_anything(db, variables, env, sentence):
    port = free_port()
    lines = make_run_lines(PORT=str(port), **variables)
    if env.get("STREAMLIT_SERVER_ADDRESS") == "":  # server.address unset: Streamlit listens everywhere
        lines = {name: words + ["--server.address", ""] for name, words in lines.items()}
    # `make run` stops at its first line ...
    one_sentence_and_exit_2(subprocess.run(lines["check"], cwd=PROJECT, env=environment(db, **env),
                                           capture_output=True, text=True, timeout=60), sentence)
    # ... and `streamlit run app.py` by hand refuses too, having answered nothing
    one_sentence_and_exit_2(subprocess.run(lines["server"], cwd=PROJECT, env=environment(db, **env),
                                           capture_output=True, text=True, timeout=60), sentence)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_with_sign_in_or_as_a_viewer_it_may_serve_every_interface(db):
    port = free_port()
    lines = make_run_lines(PORT=str(port), ADDRESS="0.0.0.0")
    for env in ({"PRECOG_AUTH_HEADER": "X-Forwarded-Email"}, {"PRECOG_LOCAL_ROLE": "viewer"}):
        assert subprocess.run(lines["check"], cwd=PROJECT, env=environment(db, **env)).returncode == 0
        with server(lines["server"], environment(db, **env), port) as proc:
            assert listening(proc, port) <= {"0.0.0.0", "::"}


# --- framing ------------------------------------------------------------------------------------
@contextmanager
def other_site(html: str):
    """A page of another origin (its own port) that frames the dashboard."""
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{site.server_address[1]}/"
    finally:
        site.shutdown()
        site.server_close()


@pytest.mark.browser
def test_another_site_cannot_frame_the_dashboard_to_click_acknowledge(db):
    """The attack the issue reproduced: /alerts?alert=N framed at low opacity on another site, one
    click on the page where Acknowledge sits. The browser refuses to draw the frame."""
    alert_id = new_alert(db)
    port = free_port()
    lines = make_run_lines(PORT=str(port))
    framed = f"http://127.0.0.1:{port}/alerts?alert={alert_id}"
    attacker = (f"<!doctype html><title>Win a prize</title><button>Claim</button>"
                f"<iframe id='victim' src='{framed}' style='opacity:0.3;width:1300px;height:1500px'></iframe>")
    with server(lines["server"], environment(db), port), other_site(attacker) as site, \
            chromium_page(1400, 1600) as page:
        refusals = []
        page.on("console", lambda message: refusals.append(message.text))
        page.goto(site)
        page.wait_for_timeout(5000)
        frame = page.frame_locator("#victim")
        assert frame.locator("[data-testid='stApp']").count() == 0  # nothing of the dashboard is drawn
        assert any("frame-ancestors" in text or "X-Frame-Options" in text for text in refusals), refusals
        page.mouse.click(200, 700)  # where Acknowledge would be
        page.wait_for_timeout(1000)
        screenshot(page, "serving_framed")
        # the same URL opened by the responder themself works (a fresh server's first page first:
        # tests/test_browser_alerts.py says why)
        page.goto(f"http://127.0.0.1:{port}/")
        wait_for_app(page)
        page.goto(framed)
        wait_for_app(page)
        page.get_by_text(f"Act on alert {alert_id} from the link").wait_for(timeout=APPEARS_MS)
    assert sql(db, "SELECT count(*) FROM alert_actions WHERE alert_id = %s", (alert_id,)) == [(0,)]


def test_every_response_forbids_framing_and_the_metrics_are_closed(db):
    port = free_port()
    lines = make_run_lines(PORT=str(port))
    with server(lines["server"], environment(db), port):
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(base + "/") as answer:
            index = answer.read().decode()
        script = index.split('src="', 1)[1].split('"', 1)[0]  # one of the front end's own files
        for path in ("/", "/alerts?alert=1", "/_stcore/health", "/_stcore/host-config", "/" + script.lstrip("./")):
            with urllib.request.urlopen(base + path) as answer:
                assert answer.headers["Content-Security-Policy"] == "frame-ancestors 'none'", path
                assert answer.headers["X-Frame-Options"] == "DENY", path
                assert answer.headers["X-Content-Type-Options"] == "nosniff", path
        with pytest.raises(urllib.error.HTTPError) as closed:
            urllib.request.urlopen(base + "/_stcore/metrics")
        assert closed.value.code == 404
        assert closed.value.read().decode().startswith("Not found: the metrics endpoint is closed")


# --- the guard in front of every request -----------------------------------------------------------
def call(scope_server, path="/", kind="http"):
    """One request through serving.DashboardGuard around an app that answers 200: (status, headers, body)."""
    sent = []

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x-frame-options", b"SAMEORIGIN")]})
        await send({"type": "http.response.body", "body": b"dashboard"})

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    scope = {"type": kind, "path": path, "server": scope_server, "headers": []}
    asyncio.run(serving.DashboardGuard(inner)(scope, receive, send))
    if kind == "websocket":
        return sent
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in sent)


def test_a_server_started_by_hand_on_another_interface_answers_nothing_there(monkeypatch):
    """uvicorn app:app --host 0.0.0.0 never tells the app its address: the guard refuses each
    request that arrived on an address other than loopback, while local mode is an admin."""
    monkeypatch.delenv("PRECOG_LOCAL_ROLE", raising=False)
    monkeypatch.delenv("PRECOG_AUTH_HEADER", raising=False)
    serving._refused_on.cache_clear()
    status, headers, body = call(("192.0.2.2", 8501))
    assert status == 403 and body.decode().startswith("The dashboard will not serve address 192.0.2.2 without sign-in")
    assert headers[b"x-frame-options"] == b"DENY"
    assert call(("192.0.2.2", 8501), kind="websocket") == [{"type": "websocket.close", "code": 1008}]
    for loopback in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        status, headers, body = call((loopback, 8501))
        assert (status, body) == (200, b"dashboard"), loopback
        assert headers[b"x-frame-options"] == b"DENY" and headers[b"content-security-policy"] == b"frame-ancestors 'none'"
    monkeypatch.setenv("PRECOG_LOCAL_ROLE", "viewer")
    serving._refused_on.cache_clear()
    assert call(("192.0.2.2", 8501))[0] == 200
    serving._refused_on.cache_clear()


def test_secrets_and_environment_files_are_never_committed():
    ignored = subprocess.run(["git", "check-ignore", "--no-index", ".env", ".env.local", "deploy/.env.production",
                              ".streamlit/secrets.toml", ".streamlit/secrets.prod.toml", "secrets.staging.toml"],
                             cwd=PROJECT, capture_output=True, text=True).stdout.split()
    assert ignored == [".env", ".env.local", "deploy/.env.production", ".streamlit/secrets.toml",
                       ".streamlit/secrets.prod.toml", "secrets.staging.toml"]
    kept = subprocess.run(["git", "check-ignore", "--no-index", ".streamlit/config.toml", ".env.example"],
                          cwd=PROJECT, capture_output=True, text=True).stdout.split()
    assert kept == []


def test_docs_security_names_every_setting_this_serving_reads():
    text = (PROJECT / "docs" / "security.md").read_text()
    assert text.splitlines()[0].startswith("# Security: ")
    for setting in ("PRECOG_LOCAL_ROLE", "PRECOG_AUTH_HEADER", serving.METRICS, "PRECOG_IDLE_CONNECTION_SECONDS",
                    "server.address", "ADDRESS=", "/_stcore/metrics", "frame-ancestors 'none'", "X-Frame-Options"):
        assert setting in text, setting


@pytest.mark.parametrize("address, loopback", [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True), ("::ffff:127.0.0.1", True),
    ("localhost", True), (None, False), ("", False), ("0.0.0.0", False), ("::", False), ("192.0.2.2", False),
    ("unix:///run/precog.sock", False), ("no-such-host.invalid", False),
])
def test_only_addresses_that_reach_this_machine_alone_are_loopback(address, loopback):
    from identity import is_loopback

    assert is_loopback(address) is loopback
