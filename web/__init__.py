"""The Flask site. `create_app()` builds it; one blueprint package per area."""

from web.app import create_app

__all__ = ["create_app"]
