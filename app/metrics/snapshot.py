"""The worker's gauges: the outbox, callback deliveries and complaints, counted every
`metrics_snapshot_seconds` into one row that every API process serves at /metrics.

Counting in the worker, not per scrape, keeps a scrape to one primary-key read however many
API processes and scrapers there are, and gives every process the same figures.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints.queries import status_counts
from app.complaints.vocabulary import STATUSES
from app.jurisdictions.service import codes
from app.metrics.models import MetricSnapshot
from app.outbox.service import backlog
from app.webhooks.service import delivery_counts

SNAPSHOT = "worker"
DELIVERY_STATUSES = ("pending", "done", "dead", "cancelled")

# name -> (help, label names), in the order they are exposed.
GAUGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "lapor_outbox_pending": ("Outbox rows due and not yet handled, by topic.", ("topic",)),
    "lapor_outbox_scheduled": ("Outbox rows waiting for a later time (timers).", ("topic",)),
    "lapor_outbox_oldest_pending_age_seconds": (
        "Age of the oldest due, unhandled outbox row, by topic (0 when none).",
        ("topic",),
    ),
    "lapor_outbox_dead": ("Outbox rows given up after their last attempt, by topic.", ("topic",)),
    "lapor_webhook_deliveries": ("Callback deliveries by status.", ("status",)),
    "lapor_complaints": ("Complaints by jurisdiction and status.", ("jurisdiction", "status")),
    "lapor_complaints_overdue": (
        "Complaints past their deadline with the clock running, by jurisdiction.",
        ("jurisdiction",),
    ),
}


@dataclass(frozen=True)
class Sample:
    metric: str
    labels: dict[str, str]
    value: float


async def count(session: AsyncSession, now: datetime, topics: Iterable[str]) -> list[Sample]:
    """Every gauge as of `now`; known topics, statuses and jurisdictions are 0, never absent."""
    samples: list[Sample] = []
    found = {b.topic: b for b in await backlog(session, now)}
    for topic in sorted({*topics, *found}):
        b = found.get(topic)
        oldest = b.oldest_pending_at if b else None
        labels = {"topic": topic}
        samples += [
            Sample("lapor_outbox_pending", labels, b.pending if b else 0),
            Sample("lapor_outbox_scheduled", labels, b.scheduled if b else 0),
            Sample(
                "lapor_outbox_oldest_pending_age_seconds",
                labels,
                max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
            ),
            Sample("lapor_outbox_dead", labels, b.dead if b else 0),
        ]
    deliveries = await delivery_counts(session)
    for status in sorted({*DELIVERY_STATUSES, *deliveries}):
        samples.append(
            Sample("lapor_webhook_deliveries", {"status": status}, deliveries.get(status, 0))
        )
    jurisdictions = await codes(session)
    complaints = {j: dict.fromkeys(STATUSES, 0) for j in jurisdictions}
    overdue = dict.fromkeys(jurisdictions, 0)
    for c in await status_counts(session, now):
        complaints[c.jurisdiction_id][c.status] = c.complaints
        overdue[c.jurisdiction_id] += c.overdue
    for j, by_status in sorted(complaints.items(), key=lambda item: jurisdictions[item[0]]):
        code = jurisdictions[j]
        for status, n in by_status.items():
            samples.append(Sample("lapor_complaints", {"jurisdiction": code, "status": status}, n))
        samples.append(Sample("lapor_complaints_overdue", {"jurisdiction": code}, overdue[j]))
    return samples


async def refresh(session: AsyncSession, now: datetime, topics: Iterable[str]) -> None:
    """Count and store the snapshot (the worker calls this periodically)."""
    samples = [s.__dict__ for s in await count(session, now, topics)]
    await session.execute(
        insert(MetricSnapshot)
        .values(name=SNAPSHOT, taken_at=now, samples=samples)
        .on_conflict_do_update(index_elements=["name"], set_={"taken_at": now, "samples": samples})
    )


class SnapshotCollector:
    """The stored snapshot as Prometheus gauges, plus how old it is (a stale one means no
    worker is running)."""

    def __init__(self, taken_at: datetime | None, samples: list[dict[str, Any]], now: datetime):
        self.taken_at, self.samples, self.now = taken_at, samples, now

    def collect(self) -> Iterator[Metric]:
        if self.taken_at is None:
            return
        age = GaugeMetricFamily(
            "lapor_metrics_snapshot_age_seconds",
            "Seconds since a worker last counted the gauges below.",
        )
        age.add_metric([], max(0.0, (self.now - self.taken_at).total_seconds()))
        yield age
        for name, (help_text, label_names) in GAUGES.items():
            family = GaugeMetricFamily(name, help_text, labels=label_names)
            for s in self.samples:
                if s["metric"] == name:
                    family.add_metric([s["labels"][label] for label in label_names], s["value"])
            yield family


async def latest(session: AsyncSession, now: datetime) -> SnapshotCollector:
    row = await session.scalar(select(MetricSnapshot).where(MetricSnapshot.name == SNAPSHOT))
    if row is None:
        return SnapshotCollector(None, [], now)
    return SnapshotCollector(row.taken_at, row.samples, now)
