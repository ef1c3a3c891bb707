"""schemathesis over the app's own OpenAPI, against a real server on 127.0.0.1.

Every operation gets generated valid and invalid requests, as a caller its route allows (an
admin token where admins may, else a machine key or another role), and every answer must be
no 5xx, a status the operation documents, the documented media type, and a body and headers
matching the documented schema. Bounded and deterministic: a few examples per operation and
mode, no shrinking, a fixed seed, so it stays well under a minute on 2 cores.
"""

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.kernel.config import Settings
from app.openapi import document
from tests.complaints.support import live_server
from tests.factories import World
from tests.routes import app_routes, caller_headers

MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@dataclass
class Run:
    headers: dict[tuple[str, str], dict[str, str]]
    operations: int = 0
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


BOUNDED = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _fuzz_operation(operation: Any, mode: GenerationMode, base_url: str, run: Run) -> None:
    headers = run.headers[(operation.method.upper(), operation.path)]

    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        run.cases += 1
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        run.statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    call()


def _fuzz(base_url: str, world: World) -> Run:
    """Every operation in both modes; blocking (requests), so it runs beside the server's loop."""
    run = Run(headers={op: caller_headers(world, route) for op, route in app_routes().items()})
    schema = schemathesis.openapi.from_dict(document())
    for result in schema.get_all_operations():
        operation = result.ok()
        run.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz_operation(operation, mode, base_url, run)
            except Unsatisfiable:
                continue  # nothing to make invalid: an operation without parameters or body
            except Exception as exc:  # one failure per operation and mode, all reported below
                label = f"{operation.method.upper()} {operation.path} [{mode.value}]"
                run.failures.append(f"{label}: {exc}")
    return run


async def test_schemathesis_finds_no_server_error_and_no_answer_off_the_schema(
    settings: Settings, world: World
) -> None:
    async with live_server(settings) as base_url:
        run = await asyncio.to_thread(_fuzz, base_url, world)
    server_errors = sum(n for status, n in run.statuses.items() if status >= 500)
    print(f"schemathesis: {run.operations} operations, {run.cases} cases, {server_errors} 5xx")
    print(f"schemathesis statuses: {sorted(run.statuses.items())}")
    assert run.operations > 60
    assert run.cases > run.operations * MAX_EXAMPLES
    assert not run.failures, "\n\n".join(run.failures)
