"""Request metrics of this process: counts and latency by route template, method and status.

Labelled by the route's template (`/v1/complaints/{complaint_id}`), never the raw path: a label
per complaint id would grow without bound and put identifiers into the monitoring system.
"""

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from app.kernel.error_docs import api_routes

# Requests no route answers (404s, probes, scanners) share one label.
UNMATCHED = "unmatched"
# A client chooses the method: anything else is one label, or a scanner could add series at will.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    """The process's own registry: a test or a second app in one process gets its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lapor_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.duration = Histogram(
            "lapor_http_request_duration_seconds",
            "Time to answer, from the request's arrival to its last byte, by route template.",
            ("route", "method"),
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.rate_limit_storage_errors = Counter(
            "lapor_rate_limit_storage_errors",
            "Requests whose shared rate-limit storage (Redis) failed; they were limited per "
            "process instead.",
            registry=self.registry,
        )


def route_template(scope: Scope, routes: list[BaseRoute]) -> str:
    """The template of the route that handled (or would have handled) this request."""
    route = scope.get("route")
    if route is None:
        # Answered before routing (429, an oversized body): find the route it was meant for,
        # a full match (path and method) before a partial one (path only: a 405).
        matches: dict[Match, BaseRoute | None] = {Match.FULL: None, Match.PARTIAL: None}
        for candidate in routes:
            match, _ = candidate.matches(scope)
            if match in matches and matches[match] is None:
                matches[match] = candidate
        route = matches[Match.FULL] or matches[Match.PARTIAL]
    return getattr(route, "path", None) or UNMATCHED


class RequestMetrics:
    """Counts and times every answered request; the door (app/kernel/middleware.py) calls it."""

    def __init__(self, metrics: HttpMetrics, routes: list[BaseRoute]) -> None:
        self.metrics = metrics
        self._app_routes = routes
        self._flat: list[BaseRoute] | None = None
        # The labelled series already made: labels() locks and hashes on every call.
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._timers: dict[tuple[str, str], Any] = {}

    @property
    def routes(self) -> list[BaseRoute]:
        # Opened on first use: routes may be added after the middleware is.
        if self._flat is None:
            # The API's routes, then the app's own (FastAPI's docs pages).
            self._flat = [*api_routes(self._app_routes), *self._app_routes]
        return self._flat

    def __call__(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope, self.routes)
        method = scope["method"] if scope["method"] in METHODS else "other"
        counter = self._counters.get((route, method, status))
        if counter is None:
            counter = self.metrics.requests.labels(route, method, str(status))
            self._counters[(route, method, status)] = counter
        counter.inc()
        timer = self._timers.get((route, method))
        if timer is None:
            timer = self._timers[(route, method)] = self.metrics.duration.labels(route, method)
        timer.observe(seconds)
