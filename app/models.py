"""Every table, imported once so Alembic and the tests see the whole schema."""

from app.accounts.models import ApiKey, Client, ConsoleSession, User
from app.attachments.models import Attachment
from app.channels.models import ChannelAccount, SmsPart
from app.classification.models import RoutingModel
from app.complaints.models import Complaint, ComplaintEvent
from app.hub.models import HubLink, HubReconciliation
from app.jurisdictions.models import CalendarOverride, Jurisdiction, JurisdictionEvent, SlaPolicy
from app.kernel.db import Base
from app.kernel.models import IdempotencyRecord
from app.metrics.models import MetricSnapshot
from app.ombudsman.models import (
    OmbudsmanCase,
    OmbudsmanCaseComplaint,
    OmbudsmanCaseEvent,
    OmbudsmanPolicy,
    OmbudsmanStep,
)
from app.outbox.models import OutboxMessage
from app.privacy.models import IdentityAccessLog, Reporter
from app.reports.models import ReportTarget
from app.routing.models import Agency, Category, Liaison, Region, RoutingRule, RoutingSettings
from app.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "Agency",
    "ApiKey",
    "Attachment",
    "Base",
    "CalendarOverride",
    "Category",
    "ChannelAccount",
    "Client",
    "Complaint",
    "ComplaintEvent",
    "ConsoleSession",
    "HubLink",
    "HubReconciliation",
    "IdempotencyRecord",
    "IdentityAccessLog",
    "Jurisdiction",
    "JurisdictionEvent",
    "Liaison",
    "MetricSnapshot",
    "OmbudsmanCase",
    "OmbudsmanCaseComplaint",
    "OmbudsmanCaseEvent",
    "OmbudsmanPolicy",
    "OmbudsmanStep",
    "OutboxMessage",
    "Region",
    "ReportTarget",
    "Reporter",
    "RoutingModel",
    "RoutingRule",
    "RoutingSettings",
    "SlaPolicy",
    "SmsPart",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
