"""Who is acting, and what they may do. Every write takes its actor from `current_identity()`.

Where the identity comes from, first that is configured:
  1. OIDC sign-in (`st.login`) when `[auth]` is in .streamlit/secrets.toml (the e-mail claim when
     the provider marks it verified, else the subject);
  2. a trusted reverse-proxy header named by PRECOG_AUTH_HEADER (e.g. X-Forwarded-Email). Only
     then is that header read: without the setting anyone could send it, so it is ignored;
  3. local mode: the operating-system user, `local:<user>`, labelled "local mode — not signed in"
     on every page and recorded with that prefix in audit rows.

Roles: viewer (reads), responder (acknowledges and resolves alerts), admin (model lifecycle,
and everything a responder may do). `[roles]` in secrets.toml maps identities to roles (exact
names, or "*@domain"); anyone not listed is a viewer. Local mode is admin unless PRECOG_LOCAL_ROLE
names another role: it is one person on their own machine, who owns the database anyway. A value
that is not a role name is refused (SettingRefused), never read as admin: a typo ("veiwer") must
not grant more than was asked for. Local mode on an address other people can reach is refused too
(`exposure_problem`, checked before the dashboard serves anything: see serving.py).

The pages hide what a role may not do; the write functions in queries/ call `require()` anyway.
"""
from __future__ import annotations

import getpass
import ipaddress
import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

LOCAL_MODE_LABEL = "local mode — not signed in"
ROLES = ("viewer", "responder", "admin")
# What each action needs; a role may do what any lower role may.
NEEDS = {"respond": "responder", "manage_versions": "admin"}
WHO_MAY = {"respond": "only responders and admins may acknowledge, snooze or resolve alerts",
           "manage_versions": "only admins may change a model version's status"}
LOCAL_ROLE = "PRECOG_LOCAL_ROLE"
MAX_NAME = 200
ACCEPTABLE_NAME = re.compile(r"[^\x00-\x1f\x7f-\x9f]{1,%d}" % MAX_NAME)


class NotAllowed(PermissionError):
    """The identity's role may not do this; str(error) is the sentence to show."""


class SettingRefused(RuntimeError):
    """A setting the dashboard will not run with; str(error) is the one sentence to show."""


class SecretsUnreadable(RuntimeError):
    """A secrets file exists but does not parse: who may do what is unknown, so nothing is shown."""


@dataclass(frozen=True)
class Identity:
    name: str        # what audit rows record as the actor
    role: str        # viewer | responder | admin
    source: str      # oidc | header | local
    signed_in: bool  # a name vouched for by the identity provider or the proxy

    @property
    def label(self) -> str:
        if self.source == "local":
            return f"{self.name} ({self.role}, {LOCAL_MODE_LABEL})"
        return f"{self.name} ({self.role})"

    def may(self, action: str) -> bool:
        # A role the dashboard does not know may do nothing (it is refused with a sentence by require).
        return self.role in ROLES and ROLES.index(self.role) >= ROLES.index(NEEDS[action])


def require(identity: Identity, action: str) -> None:
    """Refuse, with one sentence, what the identity's role does not allow."""
    if identity.role not in ROLES:
        raise NotAllowed(f"{identity.name} has no role the dashboard knows ('{shown(identity.role)}'), so nothing "
                         f"was done: {WHO_MAY[action]}.")
    if not identity.may(action):
        raise NotAllowed(f"{identity.name} is a {identity.role}: {WHO_MAY[action]}.")


def shown(value: str, limit: int = 40) -> str:
    """A setting's value for a sentence: at most `limit` characters, each unprintable one as '?'."""
    return "".join(c if c.isprintable() else "?" for c in value[:limit]) + ("…" if len(value) > limit else "")


def role_for(name: str, roles: Mapping) -> str:
    """The highest role `roles` ({role: [names or "*@domain"]}) gives `name`; viewer if none."""
    lowered = name.strip().lower()
    granted = "viewer"
    for role in ROLES:
        for pattern in roles.get(role, ()) or ():
            pattern = str(pattern).strip().lower()
            in_domain = pattern.startswith("*@") and lowered.count("@") == 1 and lowered.endswith(pattern[1:])
            if pattern == lowered or in_domain:
                granted = role
    return granted


def acceptable_name(value: object) -> str | None:
    """A name fit for audit rows (1–200 characters, no control characters), else None."""
    text = str(value or "").strip()
    return text if ACCEPTABLE_NAME.fullmatch(text) else None


def current_identity() -> Identity:
    if oidc_configured():
        user = st.user
        # The e-mail claim only when the provider vouches for it (some let users set it freely).
        claim = user.get("email") if user.get("email_verified") is True else user.get("sub")
        name = acceptable_name(claim) if user.get("is_logged_in") else None
        if name is None:
            return Identity("not signed in", "viewer", "oidc", signed_in=False)
        return Identity(name, role_for(name, _roles()), "oidc", signed_in=True)
    header = os.environ.get("PRECOG_AUTH_HEADER", "").strip()
    if header:
        name = acceptable_name(st.context.headers.get(header))
        if name is None:  # the request did not come through the proxy
            return Identity(f"not signed in (no {header} header)", "viewer", "header", signed_in=False)
        return Identity(name, role_for(name, _roles()), "header", signed_in=True)
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        user = "unknown"
    return Identity(f"local:{user}", local_role(), "local", signed_in=False)


def local_role() -> str:
    """Local mode's role: PRECOG_LOCAL_ROLE (a role name, any case), admin when it is not set."""
    value = os.environ.get(LOCAL_ROLE)
    if value is None:
        return "admin"
    if value.strip().lower() not in ROLES:
        raise SettingRefused(f"{LOCAL_ROLE} is '{shown(value)}', which is not a role: set it to viewer, responder "
                             "or admin, or leave it unset for admin.")
    return value.strip().lower()


def exposure_problem(address: str | None) -> str | None:
    """Why the dashboard must not serve on `address` (Streamlit's server.address; None or empty:
    every interface), as one sentence; None when it may.

    Local mode is one person on their own machine. On an address other people can reach, its
    responder or admin would be anyone who reaches the port, unsigned in; a local viewer (a screen
    on a wall) may be served anywhere. Raises SettingRefused for an unknown PRECOG_LOCAL_ROLE."""
    if oidc_configured() or os.environ.get("PRECOG_AUTH_HEADER", "").strip():
        return None
    role = local_role()
    if role == "viewer" or is_loopback(address):
        return None
    where = f"address {address}" if address else "every network interface"
    return (f"The dashboard will not serve {where} without sign-in: anyone who reached it would act as the "
            f"local {role}; configure sign-in ([auth] in .streamlit/secrets.toml, or PRECOG_AUTH_HEADER behind a "
            "proxy), set PRECOG_LOCAL_ROLE=viewer for a read-only screen, or listen on 127.0.0.1 "
            "(server.address in .streamlit/config.toml).")


def is_loopback(address: str | None) -> bool:
    """True when `address` (an IP address or host name) reaches this machine only."""
    if not address or address.startswith("unix://"):  # unset: every interface; a socket: behind a proxy
        return False
    host = address.strip().strip("[]")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        try:
            found = {info[4][0] for info in socket.getaddrinfo(host, None)}
        except OSError:
            return False
        return bool(found) and all(is_loopback(a) for a in found)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def oidc_configured() -> bool:
    return bool(_secret("auth"))


def oidc_provider() -> str | None:
    """st.login's provider: None for a single [auth] section, else the first [auth.<name>]."""
    auth = _secret("auth") or {}
    if "client_id" in auth:
        return None
    return next((name for name, value in auth.items() if isinstance(value, Mapping)), None)


def _roles() -> Mapping:
    return _secret("roles") or {}


def _secret(section: str):
    try:
        return st.secrets.get(section)
    except Exception:  # noqa: BLE001 - Streamlit raises the same error for "no file" and "bad file"
        # No file: local mode. A file that does not parse must not fail open into local mode
        # (admin) when it was meant to configure sign-in, so it stops the app instead.
        if any(Path(f).expanduser().is_file() for f in st.get_option("secrets.files")):
            raise SecretsUnreadable("The secrets file (.streamlit/secrets.toml) cannot be read, so sign-in and "
                                    "roles are unknown; fix the file and reload the page.") from None
        return None
