"""Liveness and readiness."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from app.kernel.db_faults import unavailable_response
from app.kernel.security import Public

router = APIRouter(tags=["operations"], dependencies=[Depends(Public())])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "database unreachable"}})
async def readyz(request: Request) -> Response:
    """The database answers; load balancers send traffic only then."""
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        return unavailable_response(request.scope)
    return JSONResponse({"status": "ready"})
