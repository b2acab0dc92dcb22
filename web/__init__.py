"""The Flask site. `create_app()` builds it; one blueprint package per area.

`create_app` is imported on first use, so that `hopper` commands (web/cli/), which live
in this package but build no site, do not pay for the site's imports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from web.app import create_app

        return create_app
    raise AttributeError(f"module 'web' has no attribute {name!r}")
