"""A database that cannot be reached is a fault of ours, told as 503 `database_unavailable`.

PostgreSQL restarting, refusing connections, starting up, terminating our backends, or a pool
with no free connection: each surfaces as a different exception (`DatabaseUnreachable` from the
connect hook in app/kernel/db.py, `CannotConnectNowError`, SQLAlchemy's `OperationalError` and
`InterfaceError` or an invalidated connection, the pool's `TimeoutError`). They are recognised
here, in one place, and answered with `Retry-After` so clients and load balancers back off and
come again; anything else still falls through to the 500 handler. The process needs no restart:
the pool drops dead connections and opens new ones once the database answers again.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
from fastapi import FastAPI, Request
from sqlalchemy import exc as sa
from starlette.responses import Response
from starlette.types import Scope

from app.kernel.db import DatabaseUnreachable
from app.kernel.errors import AppError, answer_error
from app.kernel.logging import get_logger

log = get_logger(__name__)

RETRY_AFTER_SECONDS = 5  # about what a PostgreSQL restart or a failover takes


class DatabaseUnavailable(AppError):
    status, code = 503, "database_unavailable"


_FAULTS: tuple[type[BaseException], ...] = (
    sa.OperationalError,  # connection lost, server closed the connection, ...
    sa.InterfaceError,  # "connection is closed"
    sa.DisconnectionError,
    sa.TimeoutError,  # the pool had no connection to give within its timeout
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.exceptions.OperatorInterventionError,  # 57P01 terminated, 57P03 starting up
    asyncpg.exceptions.InsufficientResourcesError,  # 53300 too many connections
    asyncpg.InterfaceError,
    DatabaseUnreachable,  # opening a connection failed (app/kernel/db.py names asyncpg's OSErrors)
)


def causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then what it wraps (SQLAlchemy's `orig`) or was raised from, in order."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # SQLAlchemy's wrapper holds the driver's error
        current = (
            orig
            if isinstance(orig, BaseException) and id(orig) not in seen
            else current.__cause__ or current.__context__
        )


def is_database_fault(exc: BaseException) -> bool:
    """True when `exc` (or what caused it) says the database could not be reached or used."""
    for e in causes(exc):
        if isinstance(e, _FAULTS):
            return True
        if isinstance(e, sa.DBAPIError) and e.connection_invalidated:
            return True
    return False


def unavailable_response(scope: Scope) -> Response:
    """The 503 every database fault answers, /readyz included (a page's is an HTML page)."""
    err = DatabaseUnavailable("The database is unavailable; try again shortly.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return answer_error(scope, err.status, err.code, err.message, headers=headers)


def install_database_fault_handler(app: FastAPI) -> None:
    """Answer 503 for database faults; every other exception keeps its own handling."""

    async def _fault(request: Request, exc: Exception) -> Response:
        if not is_database_fault(exc):
            raise exc  # not ours: the 500 handler logs and answers it
        log.warning(
            "database unavailable",
            extra={"path": request.url.path, "error": type(exc).__name__},
        )
        return unavailable_response(request.scope)

    # Registered per class (not on Exception) so the answer is sent by Starlette's exception
    # middleware like any handled error, rather than logged as a crash and re-raised.
    for cls in (sa.SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError):
        app.add_exception_handler(cls, _fault)
    app.add_exception_handler(DatabaseUnreachable, _fault)


@dataclass
class LoopBackoff:
    """How long a background loop waits after failed polls: the poll interval doubled per
    failure in a row, up to `cap`, and the poll interval again after a success."""

    poll: float
    cap: float = 30.0
    failures: int = 0

    @property
    def wait(self) -> float:
        return min(self.cap, self.poll * 2**self.failures) if self.failures else self.poll

    def succeeded(self) -> None:
        self.failures = 0

    def failed(self, what: str, exc: Exception) -> None:
        """Count and log a failed poll; call it from the `except` block."""
        self.failures += 1
        if is_database_fault(exc):  # expected while PostgreSQL restarts: one line, no traceback
            log.warning(
                what,
                extra={
                    "error": type(exc).__name__,
                    "failures": self.failures,
                    "retry_in": self.wait,
                },
            )
        else:
            log.exception(what, extra={"failures": self.failures, "retry_in": self.wait})
