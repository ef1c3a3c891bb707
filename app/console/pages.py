"""Rendering a console page through the shared web layer (app/web), with what every console
page shows: who is logged in, their queues, the session's CSRF token for its forms."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.console import labels
from app.console.queues import queues_for
from app.kernel.security import Principal
from app.web.templating import render


def page(
    request: Request, name: str, principal: Principal | None, status: int = 200, **context: Any
) -> Response:
    return render(
        request,
        f"console/{name}",
        {
            "me": principal,
            "csrf_token": context.pop("csrf_token", None)
            or getattr(request.state, "csrf_token", ""),
            "queues": queues_for(principal) if principal else [],
            "L": labels,
            **context,
        },
        status=status,
    )
