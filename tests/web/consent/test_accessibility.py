"""The banner and the account forms pass axe-core's serious and critical rules."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/password/forgot", "/consent"])
def test_pages_with_the_banner_and_forms_have_no_serious_accessibility_issue(
        chromium, live_server, path: str) -> None:
    context = chromium.new_context(bypass_csp=True)   # axe injects its own script
    page = context.new_page()
    page.goto(live_server.url + path)
    results = Axe().run(page)
    serious = [violation for violation in results.response["violations"]
               if violation["impact"] in ("serious", "critical")]
    assert results.response["passes"], "axe did not run"
    assert serious == [], results.generate_report()
    context.close()
