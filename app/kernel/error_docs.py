"""Every route's OpenAPI `responses` list every error it can give, in the contract's shape.

A route declares only the errors of its own domain (`responses(Conflict, ...)` in errors.py);
the errors that come from the shared machinery are added here from what the route is: any route
can get 422 (app/kernel/input_guard.py checks every path and query value), one with a body 400
`malformed_json` and 413, a protected one 401 and 403, one with a path id 404, one under /v1
429, and one that opens a transaction or checks an API key 503 `database_unavailable`.
FastAPI's own 422 schema (HTTPValidationError) is replaced by ours, so no route documents a
shape it never answers.
"""

from collections.abc import Callable, Iterator
from typing import Any, get_args

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.kernel.deps import DB
from app.kernel.security import Allow

ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
BODY_METHODS = {"POST", "PUT", "PATCH"}
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
_FASTAPI_422 = ("HTTPValidationError", "ValidationError")
_TRANSACTION: Callable[..., Any] = get_args(DB)[1].dependency


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute of the app, included routers walked into."""
    for route in routes:
        # FastAPI 0.165 keeps included routers as wrappers in app.routes.
        if hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)
        elif isinstance(route, APIRoute):
            yield route


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def machinery_errors(route: APIRoute, method: str) -> dict[int, list[str]]:
    """Status -> error codes the shared machinery can answer this route with."""
    calls = list(_calls(route.dependant))
    errors: dict[int, list[str]] = {422: ["invalid"]}
    if method in BODY_METHODS:
        errors[400] = ["malformed_json"]
        errors[413] = ["payload_too_large"]
    protected = any(isinstance(call, Allow) for call in calls)
    if protected:
        errors[401] = ["missing_credentials", "invalid_token"]
        errors[403] = ["role_forbidden"]
    if route.dependant.path_params:
        errors[404] = ["not_found"]
    if route.path_format.startswith("/v1/"):
        errors[429] = ["rate_limited"]
    if _TRANSACTION in calls or protected:  # API keys are looked up in the database
        errors[503] = ["database_unavailable"]
    return errors


def _is_error(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return schema.get("$ref", "").rsplit("/", 1)[-1] in {"ErrorResponse", *_FASTAPI_422}


def _complete(doc: dict[str, Any], routes: list[Any]) -> None:
    for route in api_routes(routes):
        if not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = doc["paths"][route.path_format][method.lower()]
            out = operation["responses"]
            for status, codes in machinery_errors(route, method).items():
                known = out.get(str(status))
                if known is not None and not _is_error(known):
                    continue  # the route documents its own non-error answer here
                declared = (known or {}).get("description", "")
                names = [c for c in declared.split(", ") if c and c != "Validation Error"]
                out[str(status)] = {
                    "description": ", ".join(dict.fromkeys([*names, *codes])),
                    "content": {"application/json": {"schema": ERROR_REF}},
                    **({"headers": RETRY_AFTER} if status in {429, 503} else {}),
                }
            for status, response in out.items():
                if int(status) >= 400:  # whatever the route's media type, errors are JSON
                    response["content"] = {"application/json": {"schema": ERROR_REF}}
            operation["responses"] = dict(sorted(out.items()))
    schemas = doc.get("components", {}).get("schemas", {})
    for name in _FASTAPI_422:
        schemas.pop(name, None)


def install_error_docs(app: FastAPI) -> None:
    """Make app.openapi() complete every route's error responses (once, then cached)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _complete(generate(), app.routes)
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
