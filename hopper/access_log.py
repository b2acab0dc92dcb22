"""gunicorn's access log without the secrets some URLs carry (web/gunicorn_conf.py).

A password-reset, sign-up verification or address-change link is a credential until
used, and a WebSub callback path or a private playlist's share link is one for as long
as it lives: the access log (and whoever reads or ships it) must not hold them. The
token after those paths is written as `[redacted]`, in the request line, the path and
the referrer (the reset form posts back to its own URL, so the referrer carries it too).
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

# The path segment after each route that takes a secret token (web/auth, web/account,
# web/websub, web/community: /p/<token>). Not anchored: the site may be mounted below a
# prefix (HOPPER_SCRIPT_NAME), and the referrer is a whole URL.
SECRET_PATH = re.compile(r"(/(?:password/reset|verify|email/confirm|websub|p)/)[^/?#\s\"]+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return SECRET_PATH.sub(REDACTED, text)


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's Logger, its access-log atoms redacted."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f"):
            value = atoms.get(key)
            if isinstance(value, str):
                atoms[key] = redact(value)
        return atoms
