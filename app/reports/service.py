"""The report use cases: a scope (who, which complaints, which calendar), the read model's
rows, the figures. Read-only except `set_target`."""

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.complaints.queries import ListFilters
from app.jurisdictions.models import JurisdictionEvent
from app.jurisdictions.service import JurisdictionContext
from app.kernel.security import Principal
from app.reports import figures, read
from app.reports import schemas as s
from app.reports.models import ReportTarget
from app.reports.period import Period, month_of

SPANS = ("verify", "acknowledge", "respond")


def scope_for(
    ctx: JurisdictionContext,
    principal: Principal,
    filters: ListFilters,
    period: Period,
    now: datetime,
) -> read.Scope:
    """The complaints received in `period` that `principal` may see, filtered."""
    start, end = period.instants(ctx.calendar)
    return read.Scope(
        principal=principal, filters=filters, start=start, end=end, now=now, timezone=ctx.timezone
    )


def _period_out(period: Period, ctx: JurisdictionContext) -> s.PeriodOut:
    return s.PeriodOut(start=period.start, end=period.end, timezone=ctx.timezone)


def _float(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _measures(r: dict[str, Any]) -> dict[str, Any]:
    counts = {k: int(r[k]) for k in s.Measures.model_fields if isinstance(r.get(k), int)}
    return counts | {
        "on_time_percent": figures.percent(r["on_time"], r["on_time"] + r["late"]),
        "settled_of_eligible_percent": figures.percent(
            r["settled"], r["received"] - r["archived"] - r["waiting_for_information"]
        ),
        "working_days": {
            span: s.Span(median=_float(r[f"{span}_median"]), p90=_float(r[f"{span}_p90"]))
            for span in SPANS
        },
        "mean_rating": _float(r["mean_rating"]),
        "satisfied_percent": figures.percent(r["satisfied"], r["feedback"]),
        "transfers": 0,
    }


def _empty(key: Any) -> dict[str, Any]:
    zero: dict[str, Any] = dict.fromkeys(s.Measures.model_fields, 0)
    zero |= {f"archived_{r}": 0 for r in read.ARCHIVE_REASONS}
    zero |= {f"rating_{n}": 0 for n in range(1, 6)}
    zero |= {f"{span}_{q}": None for span in SPANS for q in ("median", "p90")}
    return zero | {"key": key, "mean_rating": None}


async def breakdown(
    session: AsyncSession, ctx: JurisdictionContext, scope: read.Scope, period: Period, by: str
) -> s.BreakdownOut:
    """The measures per agency, type, category, channel, kecamatan, week or month."""
    rows = {r["key"]: r for r in await read.grouped(session, scope, by)}
    moves = await read.transfers(session, scope, by)
    by_key: dict[Any, int] = defaultdict(int)
    into: dict[str, int] = defaultdict(int)
    out_of: dict[str, int] = defaultdict(int)
    for m in moves:
        by_key[m["key"]] += m["n"]
        into[m["to_agency"]] += m["n"]
        out_of[m["from_agency"]] += m["n"]
    if by == "agency":
        # An agency that only passed complaints on still has a row: its transfers out.
        for agency in (into | out_of).keys() - {str(k) for k in rows}:
            rows[uuid.UUID(agency)] = _empty(uuid.UUID(agency))
    names = await read.names(session, ctx.id, by)
    out: list[s.Row] = []
    for key, r in sorted(rows.items(), key=lambda kv: (kv[0] is None, str(kv[0]))):
        measures = _measures(r) | {"transfers": by_key.get(key, 0)}
        if by == "agency":
            measures |= {
                "transfers_in": into.get(str(key), 0),
                "transfers_out": out_of.get(str(key), 0),
            }
        out.append(
            s.Row(
                key=None if key is None else str(key),
                name=names.get(key.split(" · ")[0] if by == "counter_site" and key else key),
                **measures,
            )
        )
    return s.BreakdownOut(
        by=by, period=_period_out(period, ctx), rows=out, formulas=figures.FORMULAS
    )


async def summary(
    session: AsyncSession, ctx: JurisdictionContext, scope: read.Scope, period: Period
) -> s.SummaryOut:
    """The regulation's table, its shares and this year's target."""
    [row] = await read.grouped(session, scope, "none") or [_empty("all")]
    moves = await read.transfers(session, scope, "none")
    totals = s.Measures(**_measures(row) | {"transfers": sum(m["n"] for m in moves)})
    shares = figures.shares(totals.model_dump())
    stored = await read.targets(session, ctx.id)
    target, source = figures.target_for(period.end.year, stored)
    actual = shares[0].percent
    return s.SummaryOut(
        period=_period_out(period, ctx),
        totals=totals,
        archived_by_reason={r: int(row[f"archived_{r}"]) for r in read.ARCHIVE_REASONS},
        shares=[s.ShareOut(**vars(share)) for share in shares],
        target=s.TargetOut(
            year=period.end.year,
            target_percent=float(target),
            actual_percent=actual,
            met=None if actual is None else actual >= float(target),
            source=source,
        ),
        formulas=figures.FORMULAS,
    )


async def satisfaction(
    session: AsyncSession, ctx: JurisdictionContext, scope: read.Scope, period: Period
) -> s.SatisfactionOut:
    """Ratings and comments per agency."""
    rows = await read.grouped(session, scope, "agency")
    remarks = await read.comments(session, scope, "agency")
    names = await read.names(session, ctx.id, "agency")
    return s.SatisfactionOut(
        period=_period_out(period, ctx),
        rows=[
            s.SatisfactionRow(
                key=None if r["key"] is None else str(r["key"]),
                name=names.get(r["key"]),
                feedback=r["feedback"],
                mean_rating=_float(r["mean_rating"]),
                satisfied_percent=figures.percent(r["satisfied"], r["feedback"]),
                ratings={str(n): int(r[f"rating_{n}"]) for n in range(1, 6)},
                comments=remarks.get(r["key"], 0),
                reopened=r["reopened"],
            )
            for r in sorted(rows, key=lambda r: (r["key"] is None, str(r["key"])))
        ],
        formulas={k: figures.FORMULAS[k] for k in ("satisfied", "mean_rating")},
    )


def twelve_months_to(period: Period) -> Period:
    """The twelve months that end with `period`'s month, for the monthly report's trend."""
    first = period.start
    for _ in range(11):
        first = month_of(first - timedelta(days=1)).start
    return Period(first, period.end)


async def set_target(
    session: AsyncSession,
    ctx: JurisdictionContext,
    principal: Principal,
    year: int,
    settled_percent: float,
    now: datetime,
) -> s.TargetSet:
    """A jurisdiction's own target for a year, recorded with its event in one transaction."""
    value = Decimal(str(round(settled_percent, 2)))
    await session.execute(
        pg_insert(ReportTarget)
        .values(jurisdiction_id=ctx.id, year=year, settled_percent=value, updated_at=now)
        .on_conflict_do_update(
            index_elements=["jurisdiction_id", "year"],
            set_={"settled_percent": value, "updated_at": now},
        )
    )
    session.add(
        JurisdictionEvent(
            jurisdiction_id=ctx.id,
            type="report_target_set",
            occurred_at=now,
            actor=principal.actor,
            data={"year": year, "settled_percent": float(value)},
        )
    )
    await session.flush()
    return s.TargetSet(jurisdiction_id=ctx.id, year=year, settled_percent=float(value))


def today(ctx: JurisdictionContext, now: datetime) -> date:
    return ctx.calendar.local_date(now)
