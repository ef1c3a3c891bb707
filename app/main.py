"""create_app(): the FastAPI application, its lifespan resources and routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.accounts.clients_router import router as clients_router
from app.accounts.keys import ApiKeyAuthenticator
from app.accounts.router import router as auth_router
from app.accounts.sessions import ConsoleSessions
from app.attachments.router import router as attachments_router
from app.attachments.storage import LocalDiskStore
from app.calendar.router import router as calendar_router
from app.channels.router import router as channels_router
from app.classification.router import router as classification_router
from app.complaints.router import router as complaints_router
from app.console.router import ROUTERS as console_routers
from app.hub.router import router as hub_router
from app.jurisdictions.router import router as policies_router
from app.kernel import logging as app_logging
from app.kernel.clock import Clock, SystemClock
from app.kernel.config import Settings, get_settings
from app.kernel.db import make_engine, make_read_sessionmaker, make_sessionmaker
from app.kernel.db_faults import install_database_fault_handler
from app.kernel.error_docs import install_error_docs
from app.kernel.errors import install_error_handlers
from app.kernel.fastpath import ahead_of_router
from app.kernel.hardening import check_cors, check_production
from app.kernel.middleware import Door
from app.kernel.ratelimit import build_rate_limiter
from app.metrics.http import HttpMetrics, RequestMetrics
from app.metrics.router import router as metrics_router
from app.ombudsman.router import router as ombudsman_router
from app.open311.router import router as open311_router
from app.openapi import install_docs, operation_id
from app.ops import router as ops_router
from app.pages.router import router as pages_router
from app.privacy.crypto import Sealer
from app.privacy.router import router as privacy_router
from app.reports.router import router as reports_router
from app.routing.router import router as routing_router
from app.web.templating import STATIC_URL, error_page, static_files
from app.web.tokens import FormSigner
from app.webhooks.router import router as webhooks_router


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    check_production(settings)
    docs = not settings.is_production  # no API map handed to strangers in production

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.database_url is None:
            raise RuntimeError("DATABASE_URL is not set (make run sets it for the embedded db)")
        engine = make_engine(settings.database_url, settings.db_pool_size, settings.db_max_overflow)
        app.state.engine = engine
        app.state.sessions = make_sessionmaker(engine)
        app.state.read_sessions = make_read_sessionmaker(engine)  # kernel/deps.py session_scope
        app.state.api_keys = ApiKeyAuthenticator(app.state.sessions, app.state.clock)
        app.state.console_sessions = ConsoleSessions(app.state.sessions, app.state.clock, settings)
        yield
        await engine.dispose()

    app = FastAPI(
        title="SP4N-LAPOR! complaint desk",
        version="0.1.0",
        description="Complaint intake, lifecycle, deadlines and callbacks for a regional "
        "government (SP4N-LAPOR!).",
        lifespan=lifespan,
        docs_url=None,  # app/openapi.py serves /docs and /redoc from local assets
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        generate_unique_id_function=operation_id,
        # FastAPI's own OpenTelemetry, off: it traces into any provider configured in the
        # process, and a request refused by validation goes there with its body and values (a
        # reporter's NIK and phone). What is recorded is the JSON log and /metrics.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()  # every request's time: `Now` in kernel/deps.py
    app.state.sealer = Sealer.from_settings(settings)  # the one sealer of every request
    app.state.blob_store = LocalDiskStore(settings.attachments_dir)
    app.state.error_page = error_page  # failures on page paths are pages (kernel/errors.py)
    app.state.forms = FormSigner(settings.jwt_secret.get_secret_value())  # app/web/tokens.py
    install_error_handlers(app)
    install_database_fault_handler(app)
    app.include_router(ops_router)
    app.include_router(metrics_router)
    app.include_router(auth_router)
    app.include_router(complaints_router)
    app.include_router(calendar_router)
    app.include_router(policies_router)
    app.include_router(privacy_router)
    app.include_router(clients_router)
    app.include_router(channels_router)
    app.include_router(attachments_router)
    app.include_router(routing_router)
    app.include_router(classification_router)
    app.include_router(webhooks_router)
    app.include_router(hub_router)
    app.include_router(reports_router)
    app.include_router(ombudsman_router)
    app.include_router(open311_router)
    app.include_router(pages_router)
    for console_router in console_routers:
        app.include_router(console_router)
    app.mount(STATIC_URL, static_files(), name="static")
    # The read every citizen app and agency system polls, ahead of FastAPI's router by the
    # same endpoint (app/kernel/fastpath.py); its FastAPI route answers whatever does not fit.
    ahead_of_router(app, "/v1/complaints/{complaint_id:uuid}", "/v1/complaints/{complaint_id}")
    install_error_docs(app)
    install_docs(app)
    cors = None
    if settings.cors_origins:
        cors = {
            "allow_origins": check_cors(settings.cors_origins),
            "allow_methods": ["GET", "POST", "PATCH", "DELETE"],
            "allow_headers": ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
            "expose_headers": ["Retry-After", "X-Request-Id"],
            "max_age": 600,
        }
    app.state.metrics = HttpMetrics()
    # The Door applies it to every request; Open311's auth takes a key sent as a form field
    # from the same one (app/open311/auth.py).
    app.state.rate_limit = build_rate_limiter(
        settings.rate_limit_storage,
        caller=(settings.rate_limit_caller_per_second, settings.rate_limit_caller_burst),
        address=(settings.rate_limit_address_per_second, settings.rate_limit_address_burst),
        on_storage_error=app.state.metrics.rate_limit_storage_errors.inc,
        storage_timeout=settings.rate_limit_storage_timeout_seconds,
        form=(settings.rate_limit_form_per_minute / 60, settings.rate_limit_form_burst),
    )
    app.add_middleware(
        Door,
        observe=RequestMetrics(app.state.metrics, app.router.routes),
        production=settings.is_production,
        rate_limit=app.state.rate_limit,
        max_body_bytes=settings.max_body_bytes,
        # Multipart framing adds a little to the file itself.
        body_limit_per_path={
            "/v1/attachments": settings.max_attachment_bytes + 64 * 1024,
            "/lapor": settings.max_attachment_bytes + 64 * 1024,  # the web form, files included
        },
        cors=cors,
    )
    app_logging.configure(settings.log_level)
    return app
