"""The region loader as the operator runs it (a real process against the test database)."""

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.factories import World

ROOT = Path(__file__).resolve().parents[2]


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LAPOR_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_load_regions_command(
    client: httpx.AsyncClient, world: World, database_url: str
) -> None:
    done = _cli(database_url, "load-regions", "--jurisdiction", "35.21")
    assert done.returncode == 0, done.stderr
    assert "loaded 236 regions under 35.21" in done.stdout
    listed = await client.get("/v1/regions", headers=world.h("admin"))
    assert len(listed.json()["items"]) == 19
    unknown = _cli(database_url, "load-regions", "--jurisdiction", "99.99")
    assert unknown.returncode != 0
    assert "no jurisdiction with code 99.99" in unknown.stderr
