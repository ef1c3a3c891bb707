"""Pure rules: signing (the Standard Webhooks vector), schedule, Retry-After, address checks."""

import ipaddress
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.kernel.config import Settings
from app.kernel.errors import Invalid
from app.webhooks import rules
from app.webhooks.service import check_callback_url
from app.webhooks.signing import callback_secret, new_secret, sign
from app.webhooks.url_guard import address_problem, url_problem

VECTOR = Path("/work/shared/fixtures/channels/standard_webhooks_vector.json")


def test_signature_reproduces_the_standard_webhooks_vector() -> None:
    v = json.loads(VECTOR.read_text())
    ts = datetime.fromtimestamp(int(v["headers"]["webhook-timestamp"]), UTC)
    headers = sign(v["headers"]["webhook-id"], ts, v["raw_body"], [v["secret"]])
    assert headers["webhook-signature"] == v["headers"]["webhook-signature"]
    assert headers["webhook-timestamp"] == v["headers"]["webhook-timestamp"]
    assert headers["webhook-id"] == v["headers"]["webhook-id"]
    assert headers["webhook-signature"] != v["negative_cases"]["wrong_signature_from_tests"]


def test_two_secrets_sign_twice_and_either_verifies() -> None:
    old, new = new_secret(), new_secret()
    now = datetime.now(UTC)
    headers = sign("msg_1", now, '{"a":1}', [new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify('{"a":1}', headers) == {"a": 1}
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify('{"a":1}', headers)


def test_callback_secret_is_per_client_and_per_key() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    assert callback_secret("k1:one", a) != callback_secret("k1:one", b)
    assert len(callback_secret("k2:two,k1:one", a)) == 2
    assert callback_secret("k2:two,k1:one", a)[1] == callback_secret("k1:one", a)[0]
    assert all(s.startswith("whsec_") for s in callback_secret("k1:one", a))


def test_retry_schedule_follows_the_standard_then_gives_up() -> None:
    expected = [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    for attempts_made, base in enumerate(expected):
        delay = rules.next_attempt_delay(attempts_made)
        assert delay is not None
        assert base * 0.9 <= delay.total_seconds() <= base * 1.1
    assert rules.next_attempt_delay(10) is None


def test_retry_after_seconds_date_and_cap() -> None:
    now = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    assert rules.parse_retry_after("120", now) == timedelta(seconds=120)
    assert rules.parse_retry_after("Sat, 21 Nov 2026 10:01:00 GMT", now) == timedelta(minutes=1)
    assert rules.parse_retry_after("999999", now) == rules.MAX_RETRY_AFTER
    assert rules.parse_retry_after("soon", now) is None
    assert rules.parse_retry_after(None, now) is None


@pytest.mark.parametrize(
    ("code", "done", "gone"),
    [
        (200, True, False),
        (204, True, False),
        (301, False, False),
        (302, False, False),
        (400, False, False),
        (410, False, True),
        (500, False, False),
    ],
)
def test_only_2xx_succeeds_and_410_is_gone(code: int, done: bool, gone: bool) -> None:
    verdict = rules.judge(code, None, datetime.now(UTC))
    assert (verdict.done, verdict.gone) == (done, gone)


def test_retry_after_is_honoured_on_429_and_503_only() -> None:
    now = datetime.now(UTC)
    assert rules.judge(429, "30", now).retry_after == timedelta(seconds=30)
    assert rules.judge(503, "30", now).retry_after == timedelta(seconds=30)
    assert rules.judge(500, "30", now).retry_after is None


def test_message_id_is_stable_per_event() -> None:
    cid = uuid.uuid4()
    assert rules.message_id(cid, 1) == rules.message_id(cid, 1)
    assert rules.message_id(cid, 1) != rules.message_id(cid, 2)


@pytest.mark.parametrize(
    "ip",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "224.0.0.1",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "100.64.0.1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "127.0.0.1",
        "::1",
    ],
)
def test_inward_addresses_are_refused(ip: str) -> None:
    assert address_problem(ipaddress.ip_address(ip), allow_loopback=False) is not None


def test_loopback_only_when_allowed_and_public_addresses_pass() -> None:
    assert address_problem(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert address_problem(ipaddress.ip_address("10.0.0.1"), allow_loopback=True) is not None
    assert address_problem(ipaddress.ip_address("93.184.216.34"), allow_loopback=False) is None
    assert address_problem(ipaddress.ip_address("2606:4700::1111"), allow_loopback=False) is None


def test_url_form_checks() -> None:
    assert url_problem("http://example.com/h", require_https=True) == "the URL must use https"
    assert url_problem("http://example.com/h", require_https=False) is None
    assert url_problem("ftp://example.com/h", require_https=False) is not None
    assert url_problem("https://user:pw@example.com/h", require_https=True) is not None


def test_a_callback_url_is_checked_at_intake_as_an_endpoint_url_is_but_without_dns() -> None:
    dev = Settings(database_url="postgresql://unused/unused", webhook_allow_loopback=True)
    production = dev.model_copy(update={"environment": "production"})
    check_callback_url(dev, "http://127.0.0.1:8080/status")  # a local receiver, in development
    check_callback_url(dev, "http://citizen-app.example.id/status")
    check_callback_url(production, "https://citizen-app.example.id/status")
    check_callback_url(production, "https://10.0.0.1.nip.io/status")  # a name: the transport's
    for settings, url in [
        (production, "http://citizen-app.example.id/status"),  # production calls https only
        (production, "https://127.0.0.1/status"),  # and never itself
        (dev, "http://192.168.1.1/status"),
        (dev, "https://[fe80::1]/status"),
    ]:
        with pytest.raises(Invalid) as refused:
            check_callback_url(settings, url)
        assert refused.value.details[0]["field"] == "callback_url"
