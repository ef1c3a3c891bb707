"""Routing's topics: e-mail to liaisons, supervisors and admins, and admin notices."""

from app.complaints.fanout import Subscriber
from app.kernel.config import Settings
from app.outbox.engine import Policy, Topic, each
from app.outbox.service import ADMIN_NOTICE_TOPIC
from app.routing import notify


def subscribers() -> list[Subscriber]:
    """Who must hear of an event by e-mail."""
    return [notify.notify]


def topics(settings: Settings, policy: Policy) -> list[Topic]:
    """Admin notices become e-mail rows; e-mail goes out only once an SMTP host is set (until
    then the rows wait in the outbox)."""
    found = [Topic(ADMIN_NOTICE_TOPIC, policy, handle=notify.admin_notice)]
    if settings.smtp_host:
        found.append(Topic(notify.EMAIL_TOPIC, policy, send=each(notify.email_sender(settings))))
    return found
