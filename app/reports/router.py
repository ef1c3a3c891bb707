"""HTTP edge of the reports: parse the period and the filters, pick the format, answer.

Admins and supervisors see the whole jurisdiction, a liaison their own agency: the
complaints' own access rule decides (see read.py), so a report never counts what its caller
could not list."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel

from app.complaints.queries import ListFilters
from app.complaints.vocabulary import Channel, ComplaintType
from app.jurisdictions.service import JurisdictionContext, load_context
from app.kernel.deps import DB, Now
from app.kernel.errors import Forbidden, Invalid, Unauthorized, responses
from app.kernel.security import ADMIN, LIAISON, SUPERVISOR, Allow, Principal
from app.kernel.validation import CommaSeparated, Day
from app.ombudsman.readmodel import READERS as OMBUDSMAN_READERS
from app.reports import export, html, ombudsman, service, tables
from app.reports import schemas as s
from app.reports.period import Period, parse_month, period_of

router = APIRouter(prefix="/v1/reports", tags=["reports"])

Reader = Annotated[Principal, Depends(Allow(ADMIN, SUPERVISOR, LIAISON))]
Admin = Annotated[Principal, Depends(Allow(ADMIN))]
Format = Literal["json", "csv", "xlsx", "html"]
MEDIA = {"json": "application/json", "csv": "text/csv", "xlsx": export.XLSX, "html": "text/html"}
FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            export.XLSX: {"schema": {"type": "string", "format": "binary"}},
        }
    },
    **responses(Unauthorized, Forbidden, Invalid),
}


@dataclass(frozen=True)
class Asked:
    start: date | None
    end: date | None
    filters: ListFilters
    format: str | None
    accept: str | None
    now: datetime  # the request's one instant (kernel/deps.py)


def asked(
    now: Now,
    from_: Annotated[Day | None, Query(alias="from", description="first local date")] = None,
    to: Annotated[Day | None, Query(description="last local date (included)")] = None,
    agency_id: uuid.UUID | None = None,
    type: Annotated[list[ComplaintType] | None, CommaSeparated, Query()] = None,
    category_id: uuid.UUID | None = None,
    channel: Annotated[list[Channel] | None, CommaSeparated, Query()] = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$")] = None,
    counter_site: Annotated[
        str | None, Query(max_length=50, description="counter: the office's agency code")
    ] = None,
    format: Annotated[
        Format | None, Query(description="else from Accept, else json; html: monthly only")
    ] = None,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Asked:
    filters = ListFilters(
        type=type,
        agency_id=agency_id,
        channel=channel,
        category_id=category_id,
        region_code=region_code,
        counter_site=counter_site,
    )
    return Asked(from_, to, filters, format, accept, now)


Params = Annotated[Asked, Depends(asked)]


def chosen(a: Asked, offered: tuple[str, ...]) -> str:
    """`?format=`, else the most wanted type in Accept this report offers, else JSON."""
    if a.format is not None:
        if a.format not in offered:
            raise Invalid.field("format", f"This report is one of {', '.join(offered)}.")
        return a.format
    for media in _preferred(a.accept or ""):
        for name in offered:
            if MEDIA[name] == media:
                return name
    return "json"


def _preferred(accept: str) -> list[str]:
    """Accept's media types by their `q` (1 when not given; 0, or a `q` that is no number,
    is not wanted), ties in the header's order: `application/json;q=0.1, text/csv` is CSV."""
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip().lower() for p in part.split(";"))
        weight = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    weight = float(param[2:])
                except ValueError:
                    weight = 0.0
        if weight > 0:
            ranked.append((-weight, position, media))
    return [media for _, _, media in sorted(ranked)]


def _render(out: BaseModel, sheets: list[tables.Table], fmt: str, name: str) -> Response:
    if fmt == "csv":
        return StreamingResponse(
            export.csv_lines(sheets),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "xlsx":
        chunks: Iterator[bytes] = export.xlsx_chunks(sheets)
        return StreamingResponse(
            chunks,
            media_type=export.XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return JSONResponse(out.model_dump(mode="json", by_alias=True))


async def _scope(
    db: DB, principal: Principal, a: Asked, period: Period | None = None
) -> tuple[JurisdictionContext, Period, Any, datetime]:
    now = a.now
    ctx = await load_context(db, principal.jurisdiction_id)
    period = period or period_of(a.start, a.end, service.today(ctx, now))
    return ctx, period, service.scope_for(ctx, principal, a.filters, period, now), now


def _name(what: str, period: Period) -> str:
    return f"laporan-{what}-{period.start}-{period.end}"


@router.get("/summary", response_model=s.SummaryOut, responses=FILES)
async def summary(principal: Reader, db: DB, a: Params) -> Response:
    """The regulation's table (Tabel 2): counts, shares with their formulas, the year's target."""
    ctx, period, scope, _ = await _scope(db, principal, a)
    out = await service.summary(db, ctx, scope, period)
    fmt = chosen(a, ("json", "csv", "xlsx"))
    return _render(out, tables.summary_tables(out), fmt, _name("ringkasan", period))


async def _breakdown(db: DB, principal: Principal, a: Asked, by: str) -> Response:
    ctx, period, scope, _ = await _scope(db, principal, a)
    out = await service.breakdown(db, ctx, scope, period, by)
    fmt = chosen(a, ("json", "csv", "xlsx"))
    return _render(out, [tables.breakdown_table(out)], fmt, _name(by, period))


# The breakdowns differ only in their key: one route each, named as before (their operation ids
# and summaries come from the name; see app/openapi.py).
BREAKDOWNS = {
    "agencies": ("agency", "Per agency: counts, on-time rate, overdue now, working days, "
                 "transfers, satisfaction."),
    "types": ("type", "The same measures per complaint type."),
    "categories": ("category", "The same measures per category."),
    "channels": ("channel", "The same measures per channel."),
    "regions": ("region", "The same measures per kecamatan."),
}  # fmt: skip


def _breakdown_route(by: str, doc: str) -> Any:
    async def endpoint(principal: Reader, db: DB, a: Params) -> Response:
        return await _breakdown(db, principal, a, by)

    endpoint.__doc__ = doc
    return endpoint


for path, (key, doc) in BREAKDOWNS.items():
    router.add_api_route(
        f"/{path}",
        _breakdown_route(key, doc),
        methods=["GET"],
        name=path,
        response_model=s.BreakdownOut,
        responses=FILES,
    )


@router.get("/counter-sites", response_model=s.BreakdownOut, responses=FILES)
async def counter_sites(principal: Reader, db: DB, a: Params) -> Response:
    """What each complaint booth received: counter complaints per office and event."""
    only_counter = Asked(
        a.start, a.end, replace(a.filters, channel=["counter"]), a.format, a.accept, a.now
    )
    return await _breakdown(db, principal, only_counter, "counter_site")


@router.get("/trend", response_model=s.BreakdownOut, responses=FILES)
async def trend(principal: Reader, db: DB, a: Params, interval: s.Interval = "month") -> Response:
    """The same measures per week (from Monday) or month of the local received date."""
    return await _breakdown(db, principal, a, interval)


@router.get("/satisfaction", response_model=s.SatisfactionOut, responses=FILES)
async def satisfaction(principal: Reader, db: DB, a: Params) -> Response:
    """Ratings distribution, mean, share satisfied and comments per agency."""
    ctx, period, scope, _ = await _scope(db, principal, a)
    out = await service.satisfaction(db, ctx, scope, period)
    fmt = chosen(a, ("json", "csv", "xlsx"))
    return _render(out, [tables.satisfaction_table(out)], fmt, _name("kepuasan", period))


@router.get(
    "/monthly",
    response_model=s.MonthlyOut,
    responses={
        200: {
            "content": {
                export.XLSX: {"schema": {"type": "string", "format": "binary"}},
                "text/html": {"schema": {"type": "string"}},
            }
        },
        **responses(Unauthorized, Forbidden, Invalid),
    },
)
async def monthly(
    principal: Reader,
    db: DB,
    a: Params,
    month: Annotated[str, Query(max_length=7, description="YYYY-MM")],
) -> Response:
    """The month's summary, agencies and a twelve-month trend: JSON, XLSX or printable HTML."""
    period = parse_month(month)
    ctx, _, scope, now = await _scope(db, principal, a, period)
    year = service.twelve_months_to(period)
    out = s.MonthlyOut(
        month=month,
        summary=await service.summary(db, ctx, scope, period),
        agencies=await service.breakdown(db, ctx, scope, period, "agency"),
        trend=await service.breakdown(
            db, ctx, service.scope_for(ctx, principal, a.filters, year, now), year, "month"
        ),
    )
    fmt = chosen(a, ("json", "xlsx", "html"))
    if fmt == "html":
        return HTMLResponse(html.monthly_page(out, ctx.name))
    return _render(out, tables.monthly_tables(out), fmt, f"laporan-bulanan-{month}")


OmbudsmanReader = Annotated[Principal, Depends(Allow(*OMBUDSMAN_READERS))]


@router.get("/ombudsman", response_model=ombudsman.OmbudsmanReport, responses=FILES)
async def ombudsman_report(
    principal: OmbudsmanReader,
    db: DB,
    now: Now,
    year: Annotated[int, Query(ge=2000, le=2100)],
    format: Annotated[Literal["json", "csv", "xlsx"] | None, Query()] = None,
    accept: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """The year's Ombudsman cases by agency and stage, and their steps' deadlines kept."""
    a = Asked(None, None, ListFilters(), format, accept, now)
    ctx = await load_context(db, principal.jurisdiction_id)
    out = await ombudsman.report(db, ctx, principal, year, a.now)
    fmt = chosen(a, ("json", "csv", "xlsx"))
    return _render(out, ombudsman.report_tables(out), fmt, f"laporan-ombudsman-{year}")


@router.put(
    "/targets/{year}",
    response_model=s.TargetSet,
    responses=responses(Unauthorized, Forbidden, Invalid),
)
async def set_target(
    principal: Admin,
    db: DB,
    body: s.TargetIn,
    year: Annotated[int, Path(ge=2000, le=2100)],
    now: Now,
) -> s.TargetSet:
    """The jurisdiction's own target share of settled complaints for a year."""
    ctx = await load_context(db, principal.jurisdiction_id)
    return await service.set_target(db, ctx, principal, year, body.settled_percent, now)
