"""Telling the owner: a generic webhook signed with HMAC-SHA256, and a Slack-compatible message.

Events carry the redacted preview, the secret's SHA-256, where it leaked and what was done: never
a key. Webhook receivers check the signature as

    expected = hex(HMAC-SHA256(secret, f"{X-Leakbot-Timestamp}.{raw body}"))
    X-Leakbot-Signature == "sha256=" + expected   (and the timestamp is recent)

and may drop repeats by `X-Leakbot-Delivery` (the same event is sent again after a crash).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from revoker.http import call
from revoker.kinds import NotifierType
from revoker.options import check_notifier
from revoker.urls import check_url

SIGNATURE_HEADER = "X-Leakbot-Signature"
TIMESTAMP_HEADER = "X-Leakbot-Timestamp"
EVENT_HEADER = "X-Leakbot-Event"
DELIVERY_HEADER = "X-Leakbot-Delivery"


class Notifier(Protocol):
    name: str

    def send(self, event: Mapping[str, Any]) -> None: ...


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class Webhook:
    def __init__(self, name: str, client: httpx.Client, url: str, secret_env: str = "") -> None:
        self.name = name
        self.client = client
        self.url = check_url(url)
        self.secret_env = secret_env

    def send(self, event: Mapping[str, Any]) -> None:
        body = json.dumps(event, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            EVENT_HEADER: str(event["event"]),
            DELIVERY_HEADER: str(event["delivery"]),
        }
        if self.secret_env:
            secret = os.environ.get(self.secret_env, "")
            if not secret:
                from revoker.errors import RevokerError

                raise RevokerError(f"notify {self.name}: ${self.secret_env} is not set")
            headers[SIGNATURE_HEADER] = sign(secret.encode(), timestamp, body)
        call(self.client, f"notify {self.name}", "POST", self.url, content=body, headers=headers)


class Slack:
    """An incoming-webhook URL (Slack, Mattermost, Rocket.Chat all take `{"text": ...}`)."""

    def __init__(self, name: str, client: httpx.Client, url: str) -> None:
        self.name = name
        self.client = client
        self.url = check_url(url)

    def send(self, event: Mapping[str, Any]) -> None:
        call(self.client, f"notify {self.name}", "POST", self.url, json={"text": text(event)})


TITLES = {
    "rotated": ":white_check_mark: leaked {vendor} key rotated",
    "awaiting_approval": ":raised_hand: leaked {vendor} key: rotation awaits approval",
    "needs_target": ":question: leaked {vendor} key: where does its replacement go?",
    "manual": ":warning: leaked {vendor} key: rotate it by hand",
    "failed": ":x: leaked {vendor} key: rotation step failed",
}


def text(event: Mapping[str, Any]) -> str:
    title = TITLES.get(str(event["event"]), "leakbot: {vendor}").format(vendor=event["vendor"])
    lines = [
        f"*{title}*",
        f"`{event['preview']}` (sha256 {str(event['secret_sha256'])[:16]}) at {event['where']}",
    ]
    if event.get("detail"):
        lines.append(str(event["detail"]))
    lines.extend(f"{n}. {step}" for n, step in enumerate(event.get("playbook") or [], 1))
    if event["event"] == "awaiting_approval":
        lines.append(f"Approve with: `leakbot revoke --approve {event['id']}`")
    return "\n".join(lines)


def build(index: int, table: Mapping[str, Any], client: httpx.Client) -> Notifier:
    """A notifier from one `[[notify]]` table; ValueError names a bad option."""
    check_notifier(table)
    options = dict(table)
    kind = options.pop("type", None)
    name = str(options.pop("name", f"{kind}#{index}"))
    url = options.pop("url", None)
    url_env = options.pop("url_env", None)
    if url_env:
        url = os.environ.get(str(url_env)) or url
    if not isinstance(url, str) or not url:
        raise ValueError("needs 'url' (or 'url_env' naming a variable that holds it)")
    if kind == NotifierType.WEBHOOK:  # check() refused any other type and every unknown key
        return Webhook(name, client, url, str(options.pop("secret_env", "")))
    return Slack(name, client, url)
