"""Only app/privacy opens a reporter identity: the sealer refuses, and the code is scanned."""

import ast
import uuid
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from app.kernel.config import Settings
from app.privacy.crypto import Sealed, Sealer

APP = Path(__file__).resolve().parents[2] / "app"
PRIVACY = APP / "privacy"
# What the rest of the app may take from app.privacy.identity: the system's one logged read.
IDENTITY_EXPORTS = {
    "read_identity",
    "SystemActor",
    "HUB_SYNC",
    "SMS_REPLY",
    "META_REPLY",
    "X_REPLY",
}


def violations(source: str) -> list[str]:
    """Ways a module outside app/privacy could open an identity without the access log."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ("_open", "ciphertext", "decrypt"):
            found.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {a.name for a in node.names}
            if node.module.startswith("cryptography.hazmat"):  # the ciphers; not its exceptions
                found.append(f"line {node.lineno}: imports {node.module}")
            if node.module == "app.privacy.identity" and names - IDENTITY_EXPORTS:
                found.append(f"line {node.lineno}: imports {sorted(names - IDENTITY_EXPORTS)}")
        if isinstance(node, ast.Import) and any(
            a.name.startswith("cryptography.hazmat") for a in node.names
        ):
            found.append(f"line {node.lineno}: imports cryptography.hazmat")
        if isinstance(node, ast.Call) and any(
            isinstance(a, ast.Attribute) and a.attr == "IDENTITY" for a in node.args
        ):
            func = node.func
            if not (isinstance(func, ast.Attribute) and func.attr == "seal"):
                found.append(f"line {node.lineno}: Sealed.IDENTITY outside seal()")
    return found


def test_no_module_outside_privacy_opens_an_identity() -> None:
    offenders = {}
    for path in APP.rglob("*.py"):
        if PRIVACY in path.parents:
            continue
        found = violations(path.read_text())
        if found:
            offenders[str(path.relative_to(APP))] = found
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "identity = sealer._open(Sealed.IDENTITY, row.key_id, row.ciphertext, row.complaint_id)",
        "x = sealer.open(Sealed.IDENTITY, kid, blob, cid)",
        "from cryptography.hazmat.primitives.ciphers.aead import AESGCM",
        "from app.privacy.identity import open_unlogged",
        "blob = reporter.ciphertext",
    ],
)
def test_the_scan_catches_each_way_round(source: str) -> None:
    assert violations(source)


def test_sealing_an_identity_is_allowed_and_passes_the_scan() -> None:
    assert violations("kid, blob = cipher.seal(Sealed.IDENTITY, reporter, complaint_id)") == []


def test_the_sealer_refuses_to_open_an_identity_and_kinds_do_not_mix() -> None:
    sealer = Sealer.from_settings(Settings())
    row = uuid.uuid4()
    kid, blob = sealer.seal(Sealed.IDENTITY, {"name": "Siti"}, row)
    with pytest.raises(PermissionError):
        sealer.open(Sealed.IDENTITY, kid, blob, row)
    with pytest.raises(InvalidTag):  # an identity offered as a channel secret does not open
        sealer.open(Sealed.CHANNEL_SECRETS, kid, blob, row)
    kid, blob = sealer.seal(Sealed.CHANNEL_SECRETS, {"token": "t"}, row)
    assert sealer.open(Sealed.CHANNEL_SECRETS, kid, blob, row) == {"token": "t"}
    with pytest.raises(InvalidTag):
        sealer.open(Sealed.WEBHOOK_SECRETS, kid, blob, row)
    with pytest.raises(InvalidTag):  # nor on another row
        sealer.open(Sealed.CHANNEL_SECRETS, kid, blob, uuid.uuid4())
