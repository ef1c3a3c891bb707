"""Every table, imported once so Alembic and the tests see the whole schema."""

from app.accounts.models import ApiKey, Client, User
from app.complaints.models import Complaint, ComplaintEvent, IdempotencyRecord, Reporter
from app.db import Base
from app.hub.models import HubLink, HubReconciliation
from app.jurisdictions.models import CalendarOverride, Jurisdiction, SlaPolicy
from app.outbox.models import OutboxMessage
from app.routing.models import Agency, Category
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "Agency",
    "ApiKey",
    "Base",
    "CalendarOverride",
    "Category",
    "Client",
    "Complaint",
    "ComplaintEvent",
    "HubLink",
    "HubReconciliation",
    "IdempotencyRecord",
    "Jurisdiction",
    "OutboxMessage",
    "Reporter",
    "SlaPolicy",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
