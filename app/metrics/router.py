"""GET /metrics: this process's request metrics and the worker's latest snapshot, in the
Prometheus text format."""

from collections.abc import Iterator

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import Metric
from prometheus_client.registry import Collector, CollectorRegistry

from app.kernel.deps import DB, Now
from app.kernel.errors import Forbidden, Unauthorized, responses
from app.kernel.security import Scraper
from app.metrics import snapshot

router = APIRouter(tags=["operations"])


class _Both(Collector):
    """One exposition of two sources, so each metric family appears exactly once."""

    def __init__(self, registry: CollectorRegistry, worker: snapshot.SnapshotCollector) -> None:
        self.registry, self.worker = registry, worker

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()
        yield from self.worker.collect()


@router.get(
    "/metrics",
    dependencies=[Depends(Scraper())],
    response_class=Response,
    responses={**responses(Unauthorized, Forbidden), 200: {"content": {"text/plain": {}}}},
)
async def metrics(request: Request, db: DB, now: Now) -> Response:
    """Prometheus text format (README "Metrics"): requests of this process, worker gauges."""
    worker = await snapshot.latest(db, now)
    body = generate_latest(_Both(request.app.state.metrics.registry, worker))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
