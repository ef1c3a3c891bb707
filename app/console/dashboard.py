"""The reports as the desk's dashboard: the reports package's own figures (the numbers of
`GET /v1/reports/...`), drawn as bars, and its XLSX exports behind the console session."""

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from app.complaints.queries import ListFilters
from app.console.charts import bars
from app.console.guard import Staff, console_router
from app.console.labels import STATUS_MIX
from app.console.pages import page
from app.jurisdictions.service import load_context
from app.kernel.deps import DB, Now
from app.kernel.security import ADMIN, LIAISON, SUPERVISOR, Principal
from app.reports import router as reports_api
from app.reports import service
from app.reports.period import month_of, parse_month

router = console_router()

# The reports API's readers (app/reports/router.py): a liaison sees their own agency's figures.
Reader = Annotated[Principal, Depends(Staff(ADMIN, SUPERVISOR, LIAISON))]
Month = Annotated[str | None, Query(max_length=7, pattern=r"^\d{4}-\d{2}$")]


@router.get("/laporan")
async def dashboard(
    request: Request, principal: Reader, db: DB, now: Now, bulan: Month = None
) -> Response:
    ctx = await load_context(db, principal.jurisdiction_id)
    period = parse_month(bulan) if bulan else month_of(service.today(ctx, now))
    year = service.twelve_months_to(period)
    everything = ListFilters()
    scope = service.scope_for(ctx, principal, everything, period, now)
    summary = await service.summary(db, ctx, scope, period)
    agencies = await service.breakdown(db, ctx, scope, period, "agency")
    trend = await service.breakdown(
        db, ctx, service.scope_for(ctx, principal, everything, year, now), year, "month"
    )
    totals = summary.totals
    return page(
        request,
        "dashboard.html",
        principal,
        month=f"{period.start:%Y-%m}",
        period=period,
        totals=totals,
        on_time=bars(
            [(r.name or "(tanpa instansi)", r.on_time_percent) for r in agencies.rows], "%", 100
        ),
        received=bars([(_month_label(r.key), r.received) for r in trend.rows]),
        mix=bars([(label, getattr(totals, field)) for field, label in STATUS_MIX]),
    )


def _month_label(key: str | None) -> str:
    return date.fromisoformat(key).strftime("%m/%Y") if key else "–"


@router.get("/laporan/unduh")
async def download(
    principal: Reader,
    db: DB,
    now: Now,
    bulan: Annotated[str, Query(max_length=7, pattern=r"^\d{4}-\d{2}$")],
) -> Response:
    """The monthly report's XLSX, exactly as `GET /v1/reports/monthly?format=xlsx` builds it."""
    asked = reports_api.Asked(None, None, ListFilters(), "xlsx", None, now)
    return await reports_api.monthly(principal, db, asked, bulan)
