"""No request reaches an OpenTelemetry provider: FastAPI's own telemetry is switched off.

FastAPI traces every request into a globally configured OpenTelemetry provider by default, and
a request that fails validation goes there with its body and input values: a complaint's
reporter (NIK, phone, name) would leave through a tracing backend no privacy rule governs.
What the service records is its JSON log and /metrics (README "Metrics").
"""

from typing import Any

import httpx
import pytest
from opentelemetry import trace

from tests.factories import World


class _RecordingTracer(trace.NoOpTracer):
    def __init__(self, spans: list[str]) -> None:
        self.spans = spans

    def start_span(self, name: str, *args: Any, **kwargs: Any) -> trace.Span:
        self.spans.append(name)
        return super().start_span(name, *args, **kwargs)


class _RecordingProvider(trace.TracerProvider):
    """A provider someone configured for the whole process (an agent, an SDK set-up)."""

    def __init__(self) -> None:
        self.spans: list[str] = []

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        return _RecordingTracer(self.spans)


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> _RecordingProvider:
    recording = _RecordingProvider()
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: recording)
    return recording


async def test_no_request_is_traced_into_a_configured_provider(
    provider: _RecordingProvider, client: httpx.AsyncClient, world: World
) -> None:
    refused = await client.post(
        "/v1/complaints",
        json={"channel": "mobile_app", "text": "", "reporter": {"nik": "3521010101800001"}},
        headers=world.h("citizen_app"),
    )
    assert refused.status_code == 422
    taken = await client.post(
        "/v1/complaints",
        json={"channel": "mobile_app", "text": "Jalan berlubang di depan pasar."},
        headers=world.h("citizen_app"),
    )
    assert taken.status_code == 201, taken.text
    assert provider.spans == []
