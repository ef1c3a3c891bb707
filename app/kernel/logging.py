"""Structured JSON logs, one line per record, carrying the request id when there is one.

Modules log through `get_logger(name)`: its `extra` may use any key. The standard library
raises KeyError when an extra key names a LogRecord attribute ("message", "args", "name"...),
which turned every such log call into a 500; here a clashing key is kept with a trailing
underscore instead, so a log call can never fail the work it describes.
"""

import contextvars
import json
import logging
import sys
from collections.abc import Mapping, MutableMapping
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)

RESERVED = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
}


def safe_extra(extra: Mapping[str, object]) -> dict[str, object]:
    """`extra` with every key that would clash with a LogRecord attribute suffixed by `_`."""
    return {(f"{k}_" if k in RESERVED else k): v for k, v in extra.items()}


class SafeLogger(logging.LoggerAdapter[logging.Logger]):
    """A logger whose `extra` keys never raise (see the module docstring)."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, Any]:
        extra = kwargs.get("extra")
        if extra:
            kwargs["extra"] = safe_extra(extra)
        return msg, kwargs


def get_logger(name: str) -> SafeLogger:
    """The logger every module of the app uses."""
    return SafeLogger(logging.getLogger(name))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            out["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in RESERVED:
                # An extra named like one of the fields above must not overwrite it.
                out[f"{key}_" if key in out else key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log duplicates ours (with the request id) below.
    logging.getLogger("uvicorn.access").disabled = True
