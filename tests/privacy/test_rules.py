"""The identity rule on its own: who sees a reporter on the detail view (pure, no database)."""

import uuid

import pytest

from app.kernel.security import Principal
from app.privacy.rules import ComplaintFacts, detail_purpose

JUR = uuid.uuid4()
AGENCY = uuid.uuid4()
APP = uuid.uuid4()


def _who(role: str, agency: uuid.UUID | None = None, pid: uuid.UUID | None = None) -> Principal:
    return Principal(pid or uuid.uuid4(), "user", role, JUR, agency, role)


def _facts(anonymous: bool = False) -> ComplaintFacts:
    return ComplaintFacts(anonymous=anonymous, agency_id=AGENCY, submitted_by=APP)


@pytest.mark.parametrize(
    ("principal", "sees"),
    [
        (_who("admin"), True),
        (_who("liaison", AGENCY), True),
        (_who("liaison", uuid.uuid4()), False),
        (_who("citizen_app", pid=APP), True),
        (_who("citizen_app"), False),
        (_who("operator", pid=APP), True),
        (_who("channel_gateway", pid=APP), True),
        (_who("hub", pid=APP), False),
        (_who("supervisor"), False),
        (_who("agency_system", AGENCY), False),
    ],
)
def test_who_sees_a_named_reporter(principal: Principal, sees: bool) -> None:
    assert (detail_purpose(principal, _facts()) is not None) is sees


@pytest.mark.parametrize(
    "principal",
    [_who("admin"), _who("liaison", AGENCY), _who("citizen_app", pid=APP), _who("supervisor")],
)
def test_nobody_sees_an_anonymous_reporter_on_a_read(principal: Principal) -> None:
    assert detail_purpose(principal, _facts(anonymous=True)) is None
