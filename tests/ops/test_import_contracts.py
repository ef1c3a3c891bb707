"""The import contracts in .importlinter run and catch a table imported across packages."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(ROOT / ".importlinter")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_table_imported_from_another_package_breaks_the_contract(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    clean = _lint(tmp_path)
    assert clean.returncode == 0, clean.stdout
    client = tmp_path / "app" / "hub" / "client.py"
    client.write_text(client.read_text() + "\nfrom app.complaints.models import Complaint\n")
    broken = _lint(tmp_path)
    assert broken.returncode != 0
    assert "app.hub.client -> app.complaints.models" in broken.stdout
