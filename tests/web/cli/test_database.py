"""`hopper db`: says what it did, takes `-1` as the docs write it, and answers a revision
it does not know in one line (on a scratch database of the run's backend)."""

from __future__ import annotations

import subprocess
import sys

from models import migrate
from tests.processes import ROOT


def test_db_commands_report_what_changed_and_refuse_unknown_revisions_plainly(
        subprocess_env, scratch_database_url, tmp_path) -> None:
    env = {**subprocess_env, "DATABASE_URL": scratch_database_url,
           "HOPPER_INSTANCE": str(tmp_path)}

    def hopper(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", "from web.cli import main; main()",
                               "db", *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=120, check=False)

    newest = ", ".join(sorted(migrate.script_heads(scratch_database_url)))
    first = hopper("upgrade")
    assert first.returncode == 0 and f"upgraded from base to {newest}" in first.stdout
    again = hopper("upgrade")
    assert f"already at {newest}: nothing to do" in again.stdout
    back = hopper("downgrade", "-1")
    assert back.returncode == 0, back.stderr
    assert f"downgraded from {newest} to " in back.stdout
    assert migrate.current_revision(scratch_database_url) != newest
    unknown = hopper("downgrade", "nosuchrev")
    assert unknown.returncode == 1
    assert "cannot downgrade to 'nosuchrev'" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    assert hopper("upgrade").returncode == 0
    assert migrate.current_revision(scratch_database_url) == newest
