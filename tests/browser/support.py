"""Helpers of the browser tests: where Chromium is, the axe-core check, screenshots."""

import json
import os
import shutil
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}  # a common small phone


def chromium_path() -> str | None:
    """LAPOR_CHROMIUM, else Debian's /usr/bin/chromium, else `chromium` on PATH."""
    named = os.environ.get("LAPOR_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


async def assert_accessible(page: Any) -> None:
    """Run axe-core on the page; fail naming every serious or critical violation.

    Evaluated through the DevTools protocol, which the page's strict CSP does not cover, so the
    page under test keeps its real policy (an injected <script> tag would be refused by it)."""
    await page.evaluate(AXE.read_text())
    result = await page.evaluate("async () => await axe.run(document)")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    summary = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in bad
    ]
    assert not bad, json.dumps(summary, indent=2)


async def screenshot(page: Any, name: str) -> None:
    """With LAPOR_SCREENSHOTS=1, keep a full-page picture as docs/screenshots/<name>.png."""
    if os.environ.get("LAPOR_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
