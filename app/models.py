"""Every table, imported once so Alembic and the tests see the whole schema."""

from app.accounts.models import ApiKey, Client, User
from app.complaints.models import Complaint, ComplaintEvent, IdempotencyRecord, Reporter
from app.db import Base
from app.jurisdictions.models import CalendarOverride, Jurisdiction, SlaPolicy
from app.outbox.models import OutboxMessage
from app.privacy.models import IdentityAccessLog
from app.routing.models import Agency, Category

__all__ = [
    "Agency",
    "ApiKey",
    "Base",
    "CalendarOverride",
    "Category",
    "Client",
    "Complaint",
    "ComplaintEvent",
    "IdempotencyRecord",
    "IdentityAccessLog",
    "Jurisdiction",
    "OutboxMessage",
    "Reporter",
    "SlaPolicy",
    "User",
]
