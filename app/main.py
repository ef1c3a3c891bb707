"""create_app(): the FastAPI application, its lifespan resources and routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import logging as app_logging
from app.accounts.keys import ApiKeyAuthenticator
from app.accounts.router import router as auth_router
from app.calendar.router import router as calendar_router
from app.complaints.router import router as complaints_router
from app.config import Settings, get_settings
from app.db import make_engine, make_sessionmaker
from app.errors import install_error_handlers
from app.hub.router import router as hub_router
from app.middleware import BodyLimit, RequestContext
from app.ops import router as ops_router
from app.privacy.crypto import IdentityCipher
from app.webhooks.router import router as webhooks_router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.database_url is None:
            raise RuntimeError("DATABASE_URL is not set (make run sets it for the embedded db)")
        engine = make_engine(settings.database_url, settings.db_pool_size, settings.db_max_overflow)
        app.state.engine = engine
        app.state.sessions = make_sessionmaker(engine)
        app.state.api_keys = ApiKeyAuthenticator(app.state.sessions)
        yield
        await engine.dispose()

    app = FastAPI(
        title="SP4N-LAPOR! complaint desk",
        version="0.1.0",
        description="Complaint intake, lifecycle, deadlines and callbacks for a regional "
        "government (SP4N-LAPOR!).",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.cipher = IdentityCipher.from_setting(
        settings.identity_keys.get_secret_value(), settings.identity_index_key.get_secret_value()
    )
    install_error_handlers(app)
    app.include_router(ops_router)
    app.include_router(auth_router)
    app.include_router(complaints_router)
    app.include_router(calendar_router)
    app.include_router(webhooks_router)
    app.include_router(hub_router)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContext)
    app_logging.configure(settings.log_level)
    return app
