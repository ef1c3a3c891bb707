"""The reports count rows per key and per combination of stored spans, then work the
percentiles out of the spans' histograms: every figure must equal what PostgreSQL gives over
the rows themselves (percentile_cont, avg, count)."""

import random
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.clock import ManualClock
from app.reports.figures import percentile
from tests.complaints.support import fetch
from tests.factories import World
from tests.reports.support import report, seeded_mix


async def test_a_histograms_percentile_is_postgresqls_percentile_cont(engine: AsyncEngine) -> None:
    rng = random.Random(7)
    async with engine.connect() as conn:
        for _ in range(150):
            values = [rng.randrange(0, rng.choice([2, 5, 40])) for _ in range(rng.randint(1, 60))]
            histogram: dict[int, int] = {}
            for v in values:
                histogram[v] = histogram.get(v, 0) + 1
            for q in (0.5, 0.9, round(rng.random(), 3)):
                expected = await conn.scalar(
                    text(
                        "SELECT percentile_cont(CAST(:q AS float8)) WITHIN GROUP (ORDER BY x)"
                        " FROM unnest(CAST(:xs AS int[])) AS x"
                    ),
                    {"q": q, "xs": values},
                )
                assert percentile(histogram, q) == expected, (values, q)
    assert percentile({}, 0.5) is None


# The measures over the rows themselves, as the reports computed them before the histograms.
_ROWS = """
SELECT {key} AS key, count(*) AS received,
    count(*) FILTER (WHERE status = 'responded') AS responded,
    count(*) FILTER (WHERE status IN ('dispatched', 'in_progress', 'verified')) AS in_process,
    count(*) FILTER (WHERE reopen_count > 0) AS reopened,
    count(rating) AS feedback, count(*) FILTER (WHERE satisfied) AS satisfied,
    round(avg(rating), 2) AS mean_rating,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY verify_days) AS verify_median,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY verify_days) AS verify_p90,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY acknowledge_days) AS acknowledge_median,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY acknowledge_days) AS acknowledge_p90,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY respond_days) AS respond_median,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY respond_days) AS respond_p90
FROM complaints WHERE jurisdiction_id = :j GROUP BY 1 ORDER BY 1
"""
SPANS = ("verify", "acknowledge", "respond")


def _as_report(row: dict[str, Any]) -> dict[str, Any]:
    def two(value: Any) -> float | None:
        return None if value is None else round(float(value), 2)

    return {
        "received": row["received"],
        "responded": row["responded"],
        "in_process": row["in_process"],
        "reopened": row["reopened"],
        "feedback": row["feedback"],
        "satisfied": row["satisfied"],
        "mean_rating": two(row["mean_rating"]),
        "working_days": {
            s: {"median": two(row[f"{s}_median"]), "p90": two(row[f"{s}_p90"])} for s in SPANS
        },
    }


def _measured(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("received", "responded", "in_process", "reopened", "feedback")} | {
        k: row[k] for k in ("satisfied", "mean_rating", "working_days")
    }


async def test_every_figure_equals_the_row_based_computation_on_a_seeded_mix(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine, clock: ManualClock
) -> None:
    await seeded_mix(client, world, clock, random.Random(31), 24)
    december = {"from": "2026-12-01", "to": "2026-12-31"}
    j = world.jurisdiction_id
    for path, key in (("agencies", "CAST(agency_id AS text)"), ("types", "type")):
        expected = [_as_report(r) for r in await fetch(engine, _ROWS.format(key=key), j=j)]
        rows = (await report(client, world, path, **december))["rows"]
        assert [_measured(r) for r in rows] == expected, path
    [everything] = await fetch(engine, _ROWS.format(key="'all'"), j=j)
    totals = (await report(client, world, "summary", **december))["totals"]
    assert _measured(totals) == _as_report(everything)
    trend = await report(client, world, "trend", interval="month", **december)
    assert [_measured(r) for r in trend["rows"]] == [_as_report(everything)]
