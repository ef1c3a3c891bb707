"""The app's routes as the OpenAPI names them, and a caller each route lets past 401 and 403."""

from fastapi.routing import APIRoute

from app.kernel.config import Settings
from app.kernel.error_docs import api_routes
from app.kernel.security import Allow
from app.main import create_app
from tests.factories import World

# The world's caller for each role; admin first, so a route that allows it is called as admin.
CALLER_OF_ROLE = {
    "admin": "admin",
    "liaison": "liaison",
    "supervisor": "supervisor",
    "operator": "operator",
    "citizen_app": "citizen_app",
    "channel_gateway": "gateway",
    "hub": "hub",
    "agency_system": "agency_system",
}


def app_routes() -> dict[tuple[str, str], APIRoute]:
    """(METHOD, path template) -> route, for every documented operation."""
    app = create_app(Settings(database_url="postgresql://unused/unused"))
    return {
        (method, route.path_format): route
        for route in api_routes(app.routes)
        if route.include_in_schema
        for method in route.methods
    }


def allowed_roles(route: APIRoute) -> frozenset[str]:
    for dependency in route.dependant.dependencies:
        if isinstance(dependency.call, Allow):
            return dependency.call.roles
    return frozenset()


def caller_headers(world: World, route: APIRoute) -> dict[str, str]:
    """Credentials of a caller the route allows (none for a public route)."""
    roles = allowed_roles(route)
    for role, caller in CALLER_OF_ROLE.items():
        if role in roles:
            return world.h(caller)
    return {}
