from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_section_rules() -> Iterator[None]:
    """Section rules are cached per process for a minute; each test starts without."""
    from workers.ingest.steps.store import forget_section_rules

    forget_section_rules()
    yield
    forget_section_rules()
