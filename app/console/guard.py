"""The console's door rules, each in one place: who is logged in (the kernel's `authenticate`,
fed by the session cookie), the CSRF check of every unsafe request, and form parsing into the
API's own request models (so a form is validated exactly as the JSON body would be)."""

import hmac
import secrets
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from app.kernel.errors import AppError, Forbidden, Unauthorized
from app.kernel.security import CONSOLE_PATH, SESSION_COOKIE, Allow, Principal, authenticate

LOGIN_PATH = f"{CONSOLE_PATH}/masuk"
# Before login there is no session to hold a CSRF token: the login form's token is a random
# value in a cookie of its own, echoed in the form (double submit), so a page elsewhere cannot
# log a browser in to an account of the attacker's choosing.
LOGIN_CSRF_COOKIE = "konsol_masuk"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Model = TypeVar("Model", bound=BaseModel)


class LoginRequired(AppError):
    """No live session: the browser is sent to the login page (303), never shown a 401."""

    status, code = 303, "login_required"


def _to_login(request: Request) -> LoginRequired:
    target = request.url.path if request.method in SAFE_METHODS else CONSOLE_PATH + "/"
    location = f"{LOGIN_PATH}?{urlencode({'next': target})}"
    return LoginRequired("Log in first.", headers={"Location": location})


class Staff(Allow):
    """A console page's permission: the API's `Allow`, with a login redirect instead of 401."""

    async def __call__(self, request: Request) -> Principal:
        try:
            return await super().__call__(request)
        except Unauthorized as exc:
            raise _to_login(request) from exc


def _same(given: object, expected: str | None) -> bool:
    if not isinstance(given, str) or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def console_router(prefix: str = "") -> APIRouter:
    """Every console router is made here, so none can miss the CSRF guard (a test walks the
    app's /konsol routes for it); console pages stay out of the API's OpenAPI."""
    return APIRouter(
        prefix=CONSOLE_PATH + prefix, include_in_schema=False, dependencies=[Depends(csrf_guard)]
    )


async def csrf_guard(request: Request) -> None:
    """Every unsafe request to the console carries the CSRF token of its session (the login
    form: of its cookie), compared in constant time; the router applies this to every route."""
    if request.method in SAFE_METHODS:
        return
    form = await request.form()  # Starlette keeps it: the route reads the same parsed form
    if request.url.path == LOGIN_PATH:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    else:
        try:
            await authenticate(request)
        except Unauthorized as exc:
            raise _to_login(request) from exc
        expected = getattr(request.state, "csrf_token", None)
    if not _same(form.get(CSRF_FIELD), expected):
        raise Forbidden(
            "The form has expired or did not come from this console; reload it and try again.",
            code="csrf_failed",
        )


def login_csrf(request: Request) -> str:
    """The login form's token: the browser's own if it has one, else a new one (then set it
    with `set_cookie(..., LOGIN_CSRF_COOKIE, ...)` on the answer)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None
) -> None:
    """HttpOnly, SameSite=Lax, Path=/konsol; Secure in production (plain HTTP in development)."""
    response.set_cookie(name, value, max_age=max_age, **_cookie_attributes(request))


def clear_session_cookie(request: Request, response: Response) -> None:
    # A browser drops a cookie only when the deletion names the attributes it was set with.
    response.delete_cookie(SESSION_COOKIE, **_cookie_attributes(request))


def _cookie_attributes(request: Request) -> dict[str, Any]:
    return {
        "path": CONSOLE_PATH,
        "httponly": True,
        "samesite": "lax",
        "secure": request.app.state.settings.is_production,
    }


async def parse_form(
    request: Request, model: type[Model], lists: frozenset[str] = frozenset()
) -> Model:
    """The posted form as the API's request model: empty fields are absent, the CSRF token is
    not a field, a field in `lists` is typed as "a, b, c", and a bad field is the same 422 the
    JSON body would get."""
    form = await request.form()
    data: dict[str, Any] = {
        k: v for k, v in form.items() if k != CSRF_FIELD and isinstance(v, str) and v.strip()
    }
    for name in lists & data.keys():
        data[name] = [part.strip() for part in data[name].split(",") if part.strip()]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from exc
