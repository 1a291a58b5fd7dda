"""How the dashboard is served: Streamlit's ASGI app (st.App) with what Streamlit does not do itself.

`streamlit run app.py` (what `make run` runs) finds the st.App that app.py builds with MIDDLEWARE
and serves it with uvicorn, and so does `uvicorn app:app`. Here:

- every HTTP response says no other site may frame the dashboard (Content-Security-Policy
  frame-ancestors 'none' and X-Frame-Options DENY, for browsers that know only the older header):
  a page framed invisibly by another site could be clicked through;
- /_stcore/metrics, Streamlit's Prometheus endpoint (sessions, cache sizes per cached function),
  is closed unless PRECOG_SERVE_METRICS=1;
- a configuration that would let anyone who reaches the port act as the local admin is refused:
  before anything is served (`refuse_exposure`), and again for each request that arrives on an
  address other than loopback (`DashboardGuard`), for servers started by hand with a --host the
  start-up check cannot see.

Run as `python -m serving [--server.address A]` it makes the same start-up check and exits 2
with the one sentence: `make run` does that first, before it loads anything or starts a server.
"""
from __future__ import annotations

import functools
import os
import sys

import streamlit as st
from starlette.middleware import Middleware

from identity import SecretsUnreadable, SettingRefused, exposure_problem

METRICS = "PRECOG_SERVE_METRICS"
SECURITY_HEADERS = [
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
]


def refuse_exposure(address: str | None) -> None:
    """Exit with one sentence on stderr (status 2, no traceback) when the dashboard must not serve
    on `address` as configured.

    Why here and in `make run`, not in a page: Streamlit binds its socket before it runs any of the
    dashboard's code, and a server that has started cannot be taken off an interface. `make run`
    checks before it starts Streamlit at all; `streamlit run app.py` imports app.py (this call) after
    the bind but before it answers any request, so nothing is ever served."""
    problem = _problem(address)
    if problem:
        print(problem, file=sys.stderr, flush=True)
        os._exit(2)  # not SystemExit: uvicorn is importing the app inside its event loop


def _problem(address: str | None) -> str | None:
    try:
        return exposure_problem(address)
    except (SettingRefused, SecretsUnreadable) as error:  # a setting it cannot run with at all
        return str(error)


@functools.lru_cache(maxsize=32)
def _refused_on(host: str) -> str | None:
    """The sentence for requests that arrived on local address `host` (settings do not change while
    the process runs)."""
    return _problem(host)


class DashboardGuard:
    """ASGI middleware in front of Streamlit's own: the security headers, the closed metrics
    endpoint, and no answer on an address the configuration may not serve."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        local = (scope.get("server") or (None,))[0]
        refused = _refused_on(local) if local is not None else None
        if scope["type"] == "websocket":
            if refused:
                return await send({"type": "websocket.close", "code": 1008})
            return await self.app(scope, receive, send)
        if refused:
            return await _plain(send, 403, refused)
        if scope["path"].rstrip("/").endswith("/_stcore/metrics") and os.environ.get(METRICS) != "1":
            return await _plain(send, 404, f"Not found: the metrics endpoint is closed (set {METRICS}=1 to open it).")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in SECURITY_HEADERS}
                message["headers"] = [h for h in message.get("headers", []) if h[0].lower() not in names] + \
                    SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


MIDDLEWARE = [Middleware(DashboardGuard)]


async def _plain(send, status: int, sentence: str) -> None:
    body = (sentence + "\n").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


def main(argv: list[str]) -> int:
    """`python -m serving [--server.address A]`: the start-up check `make run` makes first."""
    address = st.get_option("server.address")  # .streamlit/config.toml, STREAMLIT_SERVER_ADDRESS
    if "--server.address" in argv[:-1]:
        address = argv[argv.index("--server.address") + 1]
    refuse_exposure(address)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
