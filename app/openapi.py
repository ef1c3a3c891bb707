"""The OpenAPI document and its pages: stable operation ids, the two ways to log in, and
/docs and /redoc served from files installed with the app (an offline intranet gets a page, not
a blank screen waiting on a CDN). openapi/openapi.json is the document's committed copy."""

import json
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

from app.kernel.config import Settings
from app.kernel.error_docs import api_routes
from app.kernel.hardening import API_CSP
from app.kernel.security import Allow

# Swagger UI and ReDoc as the fastapi-offline package ships them.
ASSETS = str(files("fastapi_offline") / "static")
ASSETS_URL = "/docs-assets"
SECURITY_SCHEMES = {
    "password": {
        "type": "oauth2",
        "description": "People: a username and password (POST /v1/auth/token) for a JWT.",
        "flows": {"password": {"tokenUrl": "/v1/auth/token", "scopes": {}}},
    },
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "Machines: `Authorization: Bearer lpk_...` (README: Managing machine keys).",
    },
}


def operation_id(route: APIRoute) -> str:
    """`complaints-create`: the tag, then the function's name without the tag's noun, so a
    client generator names methods `complaints.create()` rather than `create_complaint_v1_...`."""
    tag = str(route.tags[0]) if route.tags else "default"
    noun = tag.rstrip("s")
    words = [w for w in route.name.split("_") if w.rstrip("s") != noun]
    return "-".join([tag, *(words or ["get"])])


def _with_security(app: FastAPI) -> None:
    """Every route behind `Allow(...)` takes either credential; /docs gets its Authorize box."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = generate()
            doc.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            for route in api_routes(app.routes):
                protected = any(isinstance(d.call, Allow) for d in route.dependant.dependencies)
                if not route.include_in_schema or not protected:
                    continue
                for method in route.methods or ():
                    operation = doc["paths"][route.path_format][method.lower()]
                    operation["security"] = [{"password": []}, {"apiKey": []}]
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _own_scripts(page: HTMLResponse) -> HTMLResponse:
    """Swagger UI and ReDoc start from inline scripts, which the strict policy of our own pages
    forbids; they keep the framing rule alone, as before pages existed."""
    page.headers["content-security-policy"] = API_CSP.decode()
    return page


def install_docs(app: FastAPI) -> None:
    """/docs and /redoc on local assets; call after every router is included."""
    _with_security(app)
    if app.openapi_url is None:  # production: no API map handed to strangers
        return
    openapi_url, title = app.openapi_url, app.title
    redirect = "/docs/oauth2-redirect"
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return _own_scripts(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{title} - Swagger UI",
                oauth2_redirect_url=redirect,
                swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
                swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
                swagger_ui_parameters={"persistAuthorization": True},
            )
        )

    @app.get(redirect, include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        return _own_scripts(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _own_scripts(
            get_redoc_html(
                openapi_url=openapi_url,
                title=f"{title} - ReDoc",
                redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
                with_google_fonts=False,
            )
        )


def document() -> dict[str, Any]:
    from app.main import create_app  # the app imports this module for its docs

    return create_app(Settings(database_url="postgresql://unused/unused")).openapi()


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
