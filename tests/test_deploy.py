"""The production package without Docker: compose.yaml names every setting production
requires (derived from the hardening rules, not listed by hand) and, filled in, passes them;
the image's entry commands run on this host; the build context leaves the junk out."""

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.kernel.config import Settings
from app.kernel.hardening import production_problems
from tests.conftest import _admin, _with_database

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = re.compile(r"\$\{(\w+):\?[^}]*\}")
OPTIONAL = re.compile(r"\$\{(\w+):-([^}]*)\}")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def _clear(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("LAPOR_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)


def _required_by_production(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The variables production refuses to start without, as the hardening rules name them
    (with a hub configured, so the hub's own requirement is named too)."""
    _clear(monkeypatch)
    bare = Settings(environment="production", hub_base_url="https://hub.test")
    return {m for p in production_problems(bare) for m in re.findall(r"\b[A-Z][A-Z_]{4,}\b", p)}


def _filled(env: dict[str, str]) -> dict[str, str]:
    """compose's interpolation with a strong value for every required variable."""
    secret = "k1:" + "s3cr3t-" * 8

    def value(text: str) -> str:
        text = REQUIRED.sub(
            lambda m: "https://lapor.example.go.id" if m[1].endswith("URL") else secret, text
        )
        return OPTIONAL.sub(lambda m: m[2], text)

    return {k: value(str(v)) for k, v in env.items()}


def test_compose_names_every_setting_production_requires(monkeypatch: pytest.MonkeyPatch) -> None:
    services = _compose()["services"]
    required = _required_by_production(monkeypatch)
    assert {"LAPOR_JWT_SECRET", "DATABASE_URL", "LAPOR_HUB_TOKEN"} <= required  # the walk works
    for role in ("migrate", "api", "worker"):
        env = services[role]["environment"]
        assert env["LAPOR_ENVIRONMENT"] == "production"
        assert required <= set(env), f"{role} lacks {required - set(env)}"
        # Filled in (a hub too, with its token), compose's environment passes every rule.
        hub = {"LAPOR_HUB_BASE_URL": "https://hub.test", "LAPOR_HUB_TOKEN": "hub-token"}
        with monkeypatch.context() as m:
            for name, value in (_filled(env) | hub).items():
                m.setenv(name, value)
            assert production_problems(Settings()) == [], role


def test_compose_starts_the_roles_in_order() -> None:
    services = _compose()["services"]
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for role in ("api", "worker"):
        assert services[role]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }
        assert "attachments:/app/var" in services[role]["volumes"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["worker"]["command"] == ["worker"]
    assert services["worker"]["healthcheck"] == {"disable": True}
    assert services["hub-simulator"]["profiles"] == ["hub-simulator"]
    assert "healthcheck" in services["db"]


def _dockerfile() -> dict[str, str]:
    """The last value of each instruction of the run stage."""
    out: dict[str, str] = {}
    for line in (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines():
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out[word] = rest.strip()
    return out


def test_the_image_is_pinned_non_root_with_a_data_volume() -> None:
    text = (ROOT / "Dockerfile").read_text()
    image = re.search(r"ARG PYTHON_IMAGE=(\S+)", text)
    assert image is not None
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", image[1])
    instructions = _dockerfile()
    assert instructions["USER"] == "lapor"
    assert instructions["VOLUME"] == '["/app/var"]'
    assert "chown -R lapor:lapor /app/var" in text
    assert "pip install -r requirements.lock" in text


def test_the_build_context_leaves_out_the_junk() -> None:
    lines = [
        ln.strip()
        for ln in (ROOT / ".dockerignore").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert lines[0] == "*"  # everything out, then only what the image needs back in
    allowed = {ln[1:].rstrip("/") for ln in lines if ln.startswith("!")}
    assert allowed == {
        "Dockerfile",
        "pyproject.toml",
        "README.md",
        "requirements.lock",
        "app",
        "migrations",
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _on_host(args: list[str]) -> list[str]:
    """An image command as this host runs it: its python is ours."""
    return [sys.executable if a == "python" else a for a in args]


def test_the_image_commands_run_on_the_host(server_url: str, tmp_path: Path) -> None:
    name = f"lapor_image_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        instructions = _dockerfile()
        entrypoint = _on_host(json.loads(instructions["ENTRYPOINT"]))
        serve = json.loads(instructions["CMD"])
        port = _free_port()
        serve[serve.index("--port") + 1] = str(port)
        serve[serve.index("--host") + 1] = "127.0.0.1"
        env = {
            "PATH": os.environ["PATH"],
            "DATABASE_URL": _with_database(server_url, name),
            "LAPOR_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
            "LAPOR_LOG_LEVEL": "WARNING",
        }
        migrate = subprocess.run(
            [*entrypoint, "migrate"], env=env, cwd=ROOT, capture_output=True, timeout=120
        )
        assert migrate.returncode == 0, migrate.stderr.decode()
        api = subprocess.Popen([*entrypoint, *serve], env=env, cwd=ROOT)
        worker = subprocess.Popen([*entrypoint, "worker"], env=env, cwd=ROOT)
        try:
            probe = _on_host(json.loads(instructions["HEALTHCHECK"].split(" CMD ", 1)[1]))
            probe[-1] = probe[-1].replace("8000", str(port))
            deadline = time.monotonic() + 60
            while True:
                result = subprocess.run(probe, capture_output=True, timeout=10)
                if result.returncode == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert result.returncode == 0, result.stderr.decode()
            assert worker.poll() is None  # the worker role keeps running
        finally:
            for process in (api, worker):
                process.terminate()
                process.wait(timeout=30)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_the_lock_pins_every_package(lock: str) -> None:
    pins = [
        ln.split(" ")[0]
        for ln in (ROOT / lock).read_text().splitlines()
        if ln and not ln.startswith((" ", "#", "-"))
    ]
    assert pins
    assert all("==" in p for p in pins), [p for p in pins if "==" not in p]
    assert any(p.startswith("fastapi==") for p in pins)
    # A fresh clone installs it: no pin to a path or URL of the machine that compiled it.
    assert " @ " not in (ROOT / lock).read_text()


@pytest.mark.parametrize(
    ("args", "serves", "public"),
    [
        ([], "--host 127.0.0.1 --port 8000", "http://127.0.0.1:8000"),
        (["PORT=8080", "HOST=0.0.0.0"], "--host 0.0.0.0 --port 8080", "http://127.0.0.1:8080"),
        (["PORT=9000", "HOST=10.0.0.5"], "--host 10.0.0.5 --port 9000", "http://10.0.0.5:9000"),
    ],
)
def test_make_run_takes_a_port_and_the_public_url_follows(
    args: list[str], serves: str, public: str, tmp_path: Path
) -> None:
    # -n prints the commands without running them; a stamp file stands in for the install.
    env = {k: v for k, v in os.environ.items() if k != "LAPOR_PUBLIC_BASE_URL"}
    printed = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "run", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    assert serves in printed
    assert f"LAPOR_PUBLIC_BASE_URL:-{public}" in printed
