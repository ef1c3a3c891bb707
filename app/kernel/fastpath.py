"""A hot read answered ahead of FastAPI's router, by the same endpoint, dependencies and
serialiser as its FastAPI route, which stays the declaration (OpenAPI, metrics label, and
every request the fast route does not take).

FastAPI's per-request machinery (matching through its included routers, solving dependencies,
the handler's wrappers) was a third of the CPU of `GET /v1/complaints/{id}`, the read every
citizen app and agency system polls (bench/RESULTS_reads.md). A fast route matches only the
happy shape of the path (a Starlette convertor: a well-formed UUID); anything else falls through
to the FastAPI route and gets its usual answer, a 422 included. It runs inside the same
middleware (the door) and the same exception handlers, so errors keep the contract's shape.

Only routes FastAPI would solve trivially qualify, checked when the app is built: path
parameters, `Request`, and dependencies that are async functions of the request alone
(`Allow(...)`, `Now`, `Cipher`). Dependency overrides are FastAPI's, so with any set the fast
route steps aside.
"""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, serialize_response
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from app.kernel.error_docs import api_routes


class _FastRoute(Route):
    def __init__(self, path: str, declared: APIRoute, app: FastAPI) -> None:
        self.declared = declared
        self.overrides = app.dependency_overrides
        self.dependencies = _plan(declared)
        self.request_name = declared.dependant.request_param_name
        super().__init__(path, self._answer, methods=sorted(declared.methods or ()))

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.overrides:
            return Match.NONE, {}
        match, child = super().matches(scope)
        # A path that fits but a method that does not is the FastAPI route's to answer (405).
        return (match, child) if match is Match.FULL else (Match.NONE, {})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = self.declared  # as FastAPI sets it: the metrics' route template
        await super().handle(scope, receive, send)

    async def _answer(self, request: Request) -> Response:
        route = self.declared
        values: dict[str, Any] = dict(request.path_params)
        if self.request_name:
            values[self.request_name] = request
        solved: dict[Any, Any] = {}  # one call per dependency and request, as FastAPI caches
        for name, dependency in self.dependencies:
            if dependency not in solved:
                solved[dependency] = await dependency(request)
            values[name] = solved[dependency]
        result = await route.endpoint(**values)
        if isinstance(result, Response):
            return result
        content = await serialize_response(
            field=route.response_field,
            response_content=result,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
            dump_json=True,
        )
        return Response(content, route.status_code or 200, media_type="application/json")


Dependency = Callable[[Request], Awaitable[Any]]


def _solved_by_fastapi(dependant: Dependant) -> list[list[Any]]:
    """What only FastAPI's own solving reads and validates: query, header, cookie, body."""
    return [
        dependant.query_params,
        dependant.header_params,
        dependant.cookie_params,
        dependant.body_params,
    ]


def _plan(route: APIRoute) -> list[tuple[str, Dependency]]:
    """The endpoint's dependencies, in the order FastAPI solves them; refuses a route
    FastAPI would have to do more for than path parameters and the request."""
    needs = [*_solved_by_fastapi(route.dependant), route.dependencies]
    assert not any(needs), f"{route.path}: only path parameters and request dependencies"
    plan: list[tuple[str, Dependency]] = []
    for sub in route.dependant.dependencies:
        needs = [*_solved_by_fastapi(sub), sub.dependencies, sub.path_params]
        assert sub.name is not None, f"{route.path}: an unnamed dependency"
        assert sub.call is not None, f"{route.path}: {sub.name} calls nothing"
        assert inspect.iscoroutinefunction(_called(sub.call)), f"{sub.name}: not async"
        assert sub.request_param_name, f"{route.path}: {sub.name} does not take the request"
        assert not any(needs), f"{route.path}: {sub.name} needs more than the request"
        plan.append((sub.name, sub.call))
    return plan


def _called(call: Callable[..., Any]) -> Callable[..., Any]:
    # An instance with an async __call__ (`Allow(...)`) is called through that method.
    return call if inspect.isfunction(call) else type(call).__call__


def ahead_of_router(app: FastAPI, fast_path: str, declared_path: str, method: str = "GET") -> None:
    """Answer `method declared_path` ahead of FastAPI's router when the path fits
    `fast_path` (the declared one with convertors, e.g. `{id:uuid}`)."""
    declared = next(
        route
        for route in api_routes(app.routes)
        if route.path == declared_path and method in (route.methods or ())
    )
    app.router.routes.insert(0, _FastRoute(fast_path, declared, app))
