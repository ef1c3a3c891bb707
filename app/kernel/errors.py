"""One error shape for every failure: {"error": {"code", "message", "details"}}.

Pages for people (paths under PAGE_PREFIXES) get the same failure as a small HTML page instead:
`answer_error` picks, for the handlers here, the database-fault handler and the Door alike.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from app.kernel.logging import get_logger

log = get_logger(__name__)


class AppError(Exception):
    """A failure the caller can act on; subclasses fix status and code."""

    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or []
        self.headers = headers


class BadRequest(AppError):
    status, code = 400, "bad_request"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


class Invalid(AppError):
    status, code = 422, "invalid"

    @classmethod
    def field(cls, field: str, message: str, code: str = "invalid") -> "Invalid":
        return cls(message, code=code, details=[{"field": field, "message": message}])


class RateLimited(AppError):
    status, code = 429, "rate_limited"


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] = []


class ErrorResponse(BaseModel):
    """The contract's error shape, referenced by every route's `responses=`."""

    error: ErrorBody


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return JSONResponse(body, status_code=status, headers=headers)


# Paths a browser opens for a person to read (app/pages, app/console): their failures are pages.
PAGE_PREFIXES = ("/lacak", "/lapor", "/konsol")

# Renders a failure as HTML: (scope, status, code, details, headers). create_app sets the web
# layer's (app/web/templating.py error_page) as `app.state.error_page`; the kernel knows no HTML.
ErrorPage = Callable[[Scope, int, str, list[dict[str, Any]], dict[str, str] | None], Response]


def is_page(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PAGE_PREFIXES)


def answer_error(
    scope: Scope,
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The failure as its caller reads it: an HTML page on a page path, else the JSON shape."""
    if is_page(scope["path"]) and "app" in scope:
        page: ErrorPage | None = getattr(scope["app"].state, "error_page", None)
        if page is not None:
            return page(scope, status, code, details or [], headers)
    return error_response(status, code, message, details, headers)


def responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for a route's own domain errors (error_docs.py adds the rest)."""
    out: dict[int | str, dict[str, Any]] = {}
    for err in errors:
        out[err.status] = {"model": ErrorResponse, "description": err.code}
    return out


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


def _field_path(loc: tuple[Any, ...]) -> str:
    # Drop the "body"/"query" prefix so details name the field as the client wrote it.
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in {"query", "path", "header"}:
        return parts[1]  # flat: an index into a list filter means nothing to the client
    if parts and parts[0] in {"body", "form"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _error_loc(error: Any) -> tuple[Any, ...]:
    loc = tuple(error.get("loc", ()))
    # Cross-field rules fail on the model and carry the field to blame (app/complaints/schemas).
    if error.get("type") == "field_rule":
        loc = (*loc, (error.get("ctx") or {}).get("field", ""))
    return loc


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        return answer_error(
            request.scope, exc.status, exc.code, exc.message, exc.details, exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        # A body that is not JSON at all is malformed (400), not an invalid field (422).
        if any(e.get("type") == "json_invalid" for e in errors):
            message = "The request body is not valid JSON."
            return answer_error(request.scope, 400, "malformed_json", message)
        details = [
            {"field": _field_path(_error_loc(e)), "message": e.get("msg", "invalid")}
            for e in errors
        ]
        return answer_error(request.scope, 422, "invalid", "Some fields are invalid.", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "error")
        headers = dict(exc.headers) if exc.headers else None
        return answer_error(request.scope, exc.status_code, code, str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", extra={"path": request.url.path})
        message = "Something went wrong on our side."
        return answer_error(request.scope, 500, "internal_error", message)
