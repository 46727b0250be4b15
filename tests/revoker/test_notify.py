"""Notifications: the webhook's HMAC signature as a receiver checks it, Slack's text, and no key
in either."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest

from revoker.errors import InsecureURL, RevokerError
from revoker.http import make_client
from revoker.notify import build, text
from tests.emulation import Receiver

EVENT = {
    "event": "awaiting_approval", "delivery": "7-awaiting_approval", "id": 7,
    "vendor": "helicone", "rule_id": "helicone.api-key", "preview": "sk-helicone-…(43 chars)",
    "secret_sha256": "ab" * 32, "where": "app/settings.py:3 @ 0123456789ab",
    "detail": "policy approve", "playbook": ["Open the dashboard.", "Delete the key."],
}  # fmt: skip


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_webhook_is_signed_over_timestamp_and_body(receiver, monkeypatch):
    monkeypatch.setenv("HOOK_SECRET", "s3cret-for-tests")
    with make_client(httpx.Timeout(3.0)) as client:
        build(0, {"type": "webhook", "url": receiver.url, "secret_env": "HOOK_SECRET"},
              client).send(EVENT)  # fmt: skip
    ((headers, body),) = receiver.received
    expected = hmac.new(b"s3cret-for-tests", headers["X-Leakbot-Timestamp"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()  # fmt: skip
    assert headers["X-Leakbot-Signature"] == f"sha256={expected}"
    assert headers["X-Leakbot-Event"] == "awaiting_approval"
    assert headers["X-Leakbot-Delivery"] == "7-awaiting_approval"
    assert json.loads(body) == EVENT


def test_slack_message_says_what_to_do(receiver):
    with make_client(httpx.Timeout(3.0)) as client:
        build(1, {"type": "slack", "url": receiver.url}, client).send(EVENT)
    ((_, body),) = receiver.received
    message = json.loads(body)["text"]
    assert "awaits approval" in message and "leakbot revoke --approve 7" in message
    assert "1. Open the dashboard." in message and EVENT["preview"] in message


def test_notifier_configuration_errors(monkeypatch):
    with make_client() as client:
        with pytest.raises(InsecureURL):
            build(0, {"type": "slack", "url": "http://hooks.example.com/x"}, client)
        with pytest.raises(ValueError, match="url"):
            build(0, {"type": "webhook"}, client)
        with pytest.raises(ValueError, match="unknown key 'colour'"):
            build(0, {"type": "slack", "url": "https://h.example/x", "colour": "red"}, client)
        monkeypatch.setenv("SLACK_URL", "https://hooks.example.com/services/T/B/X")
        assert build(0, {"type": "slack", "url_env": "SLACK_URL"}, client).url.endswith("/X")
        hook = build(0, {"type": "webhook", "url": "https://h.example/x", "secret_env": "NOPE"},
                     client)  # fmt: skip
        with pytest.raises(RevokerError, match=r"\$NOPE is not set"):
            hook.send(EVENT)


def test_every_event_kind_has_a_title():
    for kind in ("rotated", "awaiting_approval", "manual", "failed"):
        assert "leaked helicone key" in text({**EVENT, "event": kind})
