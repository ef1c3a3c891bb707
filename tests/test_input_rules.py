"""The input rulebook over every route: the OpenAPI walked, NUL and null fed everywhere.

Every operation gets a NUL in each of its parameters and body fields, and `null` in each body
field; each answer must be a 4xx in the contract's shape naming the field where the rule is
ours (NUL anywhere; null where the schema says the field is not nullable), and nothing may be
written. Every date and instant, as a parameter or in a body, gets years the calendar cannot
count in (year 1 at +14:00 has no UTC instant, 9999-12-31 has no next day): a 422 naming it.
The route table is walked too: no request model escapes app/kernel/validation.py, and every
operation documents the errors the shared machinery can give.
"""

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import httpx
from fastapi import params
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.kernel.deps import DB
from app.kernel.validation import PatchModel, StrictModel
from app.models import Base
from tests.factories import World
from tests.routes import allowed_roles, app_routes, caller_headers

OPENAPI = json.loads((Path(__file__).resolve().parents[1] / "openapi" / "openapi.json").read_text())
NUL = "a\x00b"


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = OPENAPI["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _nullable(schema: dict[str, Any]) -> bool:
    options = [schema, *schema.get("anyOf", [])]
    return any(option.get("type") == "null" for option in options)


def _fields(
    schema: dict[str, Any], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every property, and the properties of nested objects one level down."""
    for name, prop in _resolve(schema).get("properties", {}).items():
        path = (*prefix, name)
        yield path, prop
        if prefix:
            continue
        for option in [prop, *prop.get("anyOf", [])]:
            nested = _resolve(option)
            if nested.get("type") == "object" and "properties" in nested:
                yield from _fields(nested, path)


def _nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out: Any = value
    for name in reversed(path):
        out = {name: out}
    assert isinstance(out, dict)
    return out


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in OPENAPI["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


def _url(path: str, operation: dict[str, Any], nul_in: str | None = None) -> str:
    for p in operation.get("parameters", []):
        if p["in"] == "path":
            value = "a%00b" if p["name"] == nul_in else str(uuid.uuid4())
            path = path.replace("{" + p["name"] + "}", value)
    return path


def _problem(response: httpx.Response, field: str | None) -> str | None:
    """Why this answer breaks the rulebook (None when it keeps it)."""
    if response.status_code >= 500 or response.status_code < 400:
        return f"{response.status_code} {response.text[:200]}"
    body = response.json()
    if set(body) != {"error"} or set(body["error"]) != {"code", "message", "details"}:
        return f"not the error shape: {body}"
    if field is None:
        return None
    named = {d.get("field") for d in body["error"]["details"]}
    if response.status_code != 422 or field not in named:
        return f"{response.status_code}, {field} not named: {body}"
    return None


async def _row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            t.name: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            for t in Base.metadata.sorted_tables
        }


class _Walk:
    """One walk over the OpenAPI: the requests it sent and the answers that broke the rules."""

    def __init__(self, client: httpx.AsyncClient, engine: AsyncEngine) -> None:
        self.client, self.engine = client, engine
        self.problems: list[str] = []
        self.sent = 0

    async def __aenter__(self) -> "_Walk":
        self.before = await _row_counts(self.engine)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if exc[0] is None:
            assert not self.problems, "\n".join(self.problems)
            assert await _row_counts(self.engine) == self.before, "a refused request wrote"

    async def check(self, label: str, request: httpx.Request, field: str | None) -> None:
        self.sent += 1
        problem = _problem(await self.client.send(request), field)
        if problem:
            self.problems.append(f"{label}: {problem}")


async def test_nul_and_null_in_every_field_of_every_operation_get_a_4xx_naming_it(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    routes = app_routes()
    async with _Walk(client, engine) as walk:
        await _nul_and_null(walk, world, routes)
    assert walk.sent > 300  # the walk reached every operation's fields


async def _nul_and_null(walk: _Walk, world: World, routes: dict[tuple[str, str], Any]) -> None:
    client, check = walk.client, walk.check
    for method, path, operation in _operations():
        headers = caller_headers(world, routes[(method, path)])
        for p in operation.get("parameters", []):
            label = f"{method} {path} {p['in']} {p['name']}=NUL"
            url = _url(path, operation, p["name"] if p["in"] == "path" else None)
            query = {p["name"]: NUL} if p["in"] == "query" else {}
            extra = {p["name"]: NUL} if p["in"] == "header" else {}
            request = client.build_request(
                method, url, params=query, headers=headers | extra, json={}
            )
            await check(label, request, p["name"])
        content = operation.get("requestBody", {}).get("content", {})
        if "application/x-www-form-urlencoded" in content:
            schema = content["application/x-www-form-urlencoded"]["schema"]
            for (name,), _ in _fields(schema):
                request = client.build_request(
                    method, _url(path, operation), headers=headers, data={name: NUL}
                )
                await check(f"{method} {path} form {name}=NUL", request, name)
        if "application/json" not in content:
            continue
        for field, prop in _fields(content["application/json"]["schema"]):
            dotted = ".".join(field)
            for value, named in ((NUL, dotted), (None, None if _nullable(prop) else dotted)):
                request = client.build_request(
                    method, _url(path, operation), headers=headers, json=_nest(field, value)
                )
                await check(f"{method} {path} body {dotted}={value!r}", request, named)


def _format(schema: dict[str, Any]) -> str | None:
    """ "date" or "date-time" when the schema is one (alone or among its options)."""
    for option in [_resolve(schema), *schema.get("anyOf", [])]:
        if option.get("format") in ("date", "date-time"):
            return str(option["format"])
    return None


# Each end of the calendar, as a date and as an instant whose UTC day is past it.
OUT_OF_RANGE = {
    "date": ["0001-01-01", "9999-12-31"],
    "date-time": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"],
}


async def test_dates_and_instants_beyond_the_calendar_get_a_422_naming_them_everywhere(
    client: httpx.AsyncClient, world: World, engine: AsyncEngine
) -> None:
    routes = app_routes()
    async with _Walk(client, engine) as walk:
        for method, path, operation in _operations():
            for where, name, value in _beyond_the_calendar(operation):
                url = _url(path.replace("{" + name + "}", value), operation)
                request = client.build_request(
                    method,
                    url,
                    params={name: value} if where == "query" else {},
                    headers=caller_headers(world, routes[(method, path)]),
                    json=_nest(tuple(name.split(".")), value) if where == "body" else {},
                )
                await walk.check(f"{method} {path} {where} {name}={value}", request, name)
    assert walk.sent > 60  # the walk reached the reports, the list, the calendar and the bodies


def _beyond_the_calendar(operation: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(where, name, value): each end of the calendar in each date the operation takes."""
    fields: list[tuple[str, str, str]] = [  # (where, name, format)
        (p["in"], p["name"], kind)
        for p in operation.get("parameters", [])
        if (kind := _format(p["schema"]))
    ]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    fields += [
        ("body", ".".join(field), kind)
        for field, prop in (_fields(body["schema"]) if body else [])
        if (kind := _format(prop))
    ]
    for where, name, kind in fields:
        for value in OUT_OF_RANGE[kind]:
            yield where, name, value


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    """The pydantic models inside an annotation (lists, unions and nesting walked)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)
    for arg in getattr(annotation, "__args__", ()):
        yield from _models(arg)


def test_every_request_body_model_derives_from_the_rulebook() -> None:
    escaped = []
    bodies = 0
    for (method, path), route in app_routes().items():
        field = route.body_field
        if field is None or isinstance(field.field_info, params.Form):
            continue  # forms: no model; app/kernel/input_guard.py checks their text
        for model in _models(field.field_info.annotation):
            bodies += 1
            if not issubclass(model, StrictModel):
                escaped.append(f"{method} {path}: {model.__name__}")
        if method == "PATCH" and not issubclass(field.field_info.annotation, PatchModel):
            escaped.append(f"{method} {path}: a partial update that is not a PatchModel")
    assert bodies > 30
    assert not escaped, escaped


def test_every_operation_documents_the_errors_of_the_shared_machinery() -> None:
    assert "HTTPValidationError" not in json.dumps(OPENAPI)
    missing = []
    for (method, path), route in app_routes().items():
        documented = OPENAPI["paths"][path][method.lower()]["responses"]
        expected = {"422"}
        if method in {"POST", "PUT", "PATCH"}:
            expected |= {"400", "413"}
        if allowed_roles(route):
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if path.startswith("/v1/"):
            expected.add("429")
        opens_transaction = any(
            d.call is get_args(DB)[1].dependency for d in route.dependant.dependencies
        )
        if opens_transaction or allowed_roles(route):  # API keys are looked up in the database
            expected.add("503")
        for status in expected - set(documented):
            missing.append(f"{method} {path}: {status}")
        for status, response in documented.items():
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            if status >= "400" and schema != {"$ref": "#/components/schemas/ErrorResponse"}:
                missing.append(f"{method} {path}: {status} not in the error shape")
    assert not missing, missing


def _strings(
    schema: dict[str, Any], where: str, seen: set[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            yield from _strings(_resolve(schema), name, seen)
        return
    if schema.get("type") == "string":
        yield where, schema
    for key in ("anyOf", "allOf", "oneOf"):
        for option in schema.get(key, []):
            yield from _strings(option, where, seen)
    for name, prop in schema.get("properties", {}).items():
        yield from _strings(prop, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        yield from _strings(schema["items"], f"{where}[]", seen)


def test_every_string_a_request_body_takes_is_bounded() -> None:
    unbounded = []
    seen: set[str] = set()
    for _, path, operation in _operations():
        for content in operation.get("requestBody", {}).get("content", {}).values():
            for where, schema in _strings(content["schema"], path, seen):
                if not ({"maxLength", "enum", "const", "format", "contentMediaType"} & set(schema)):
                    unbounded.append(where)
    assert len(seen) > 20
    assert not unbounded, unbounded
