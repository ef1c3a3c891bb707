"""Log calls never fail the work they describe, and every module logs through the one helper."""

import io
import json
import logging
from pathlib import Path

from app.kernel.logging import JsonFormatter, get_logger

APP = Path(__file__).resolve().parents[1] / "app"


def _capture(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_extra_named_like_a_log_record_attribute_is_kept_not_raised() -> None:
    _, stream = _capture("tests.logging.reserved")
    log = get_logger("tests.logging.reserved")
    log.warning("set aside", extra={"message": "wamid.1", "args": 3, "name": "x", "ok": True})
    line = json.loads(stream.getvalue())
    assert line["msg"] == "set aside"
    assert line["logger"] == "tests.logging.reserved"
    assert (line["message_"], line["args_"], line["name_"], line["ok"]) == ("wamid.1", 3, "x", True)


def test_extra_cannot_overwrite_the_line_s_own_fields() -> None:
    _, stream = _capture("tests.logging.fields")
    get_logger("tests.logging.fields").info("hello", extra={"level": "fake", "msg": "other"})
    line = json.loads(stream.getvalue())
    assert (line["level"], line["msg"]) == ("INFO", "hello")
    assert (line["level_"], line["msg_"]) == ("fake", "other")


def test_every_module_logs_through_get_logger() -> None:
    offenders = [
        str(p.relative_to(APP))
        for p in APP.rglob("*.py")
        if p.name != "logging.py" and "logging.getLogger(" in p.read_text()
    ]
    assert offenders == [], "use app.kernel.logging.get_logger so a log call can never raise"
