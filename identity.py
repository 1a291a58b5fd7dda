"""Who is acting. Every write takes its actor from `current_identity()`.

Until sign-in exists (issue: sign-in, roles and least-privilege access) the dashboard runs in
local mode: the operating-system user, labelled as not signed in, and recorded as such.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass

LOCAL_MODE_LABEL = "local mode — not signed in"


@dataclass(frozen=True)
class Identity:
    name: str          # what audit rows record as the actor
    role: str          # viewer | responder | admin
    signed_in: bool

    @property
    def label(self) -> str:
        return self.name if self.signed_in else f"{self.name} ({LOCAL_MODE_LABEL})"


def current_identity() -> Identity:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        user = "unknown"
    # Local mode acts with every role: there is no one else to ask.
    return Identity(name=f"local:{user}", role="admin", signed_in=False)
