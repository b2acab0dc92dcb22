"""`hopper` commands start fast because they import only what they run (the numbers are
in bench/cli_startup.py; this guards the imports, which do not depend on the machine)."""

from __future__ import annotations

import subprocess
import sys

from hopper.settings import redact_url
from tests.processes import ROOT

LIST_AND_REPORT_MODULES = """
import sys
from web.cli import main
try:
    main()
except SystemExit as stop:
    assert not stop.code, stop.code
print("MODULES", " ".join(sorted(sys.modules)))
"""

# What `hopper sources list` has no use for: the site and its extensions, Celery, the
# fetcher, the OPML reader, Alembic, Redis.
NOT_NEEDED = ("web.app", "web.extensions", "web.site", "flask_limiter", "flask_login",
              "celery", "workers.celery_app", "urllib3", "lxml", "alembic", "redis")


def test_sources_list_imports_neither_the_site_nor_celery_nor_the_fetcher(
        subprocess_env, migrated_database) -> None:
    result = subprocess.run([sys.executable, "-c", LIST_AND_REPORT_MODULES, "sources", "list"],
                            env=subprocess_env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "no sources yet" in result.stdout or "articles" in result.stdout, result.stdout
    modules = set(result.stdout.rsplit("MODULES ", 1)[1].split())
    imported = sorted(name for name in modules
                      if any(name == unwanted or name.startswith(unwanted + ".")
                             for unwanted in NOT_NEEDED))
    assert imported == []


def test_a_command_run_before_the_first_migration_says_what_to_do(
        subprocess_env, scratch_database_url, tmp_path) -> None:
    """Not a traceback about a missing table: the operator is told the one command."""
    env = {**subprocess_env, "DATABASE_URL": scratch_database_url,
           "HOPPER_INSTANCE": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "from web.cli import main; main()",
                             "sources", "list"], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "Run `hopper db upgrade` first" in result.stderr
    assert "Traceback" not in result.stderr
    # Which database: run from another folder, `hopper` makes a new, empty ./instance.
    assert f"the database at {redact_url(scratch_database_url)} " in result.stderr, result.stderr


def test_version_is_hoppers_not_flasks(subprocess_env) -> None:
    result = subprocess.run([sys.executable, "-c", "from web.cli import main; main()",
                             "--version"], env=subprocess_env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and result.stdout.startswith("hopper, version ")
    assert "Flask" not in result.stdout
