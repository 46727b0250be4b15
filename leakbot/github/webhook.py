"""GitHub's push webhook: which organisation a delivery is for, its HMAC-SHA256 signature
(`X-Hub-Signature-256`, the org target's secret, compared in constant time), and the pushed
repository. Only a verified `push` of a branch or tag that still exists queues a scan."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

MAX_BODY = 25 << 20  # GitHub does not deliver payloads over 25 MB
_FULL_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}")


class BadDelivery(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Delivery:
    event: str
    org: str
    full_name: str  # "" for an event about no repository (ping of an org hook)
    scan: bool  # a push worth scanning


def read(event: str, body: bytes, signature: str, secret_of: Any) -> Delivery:
    """The delivery, verified; BadDelivery (400 malformed, 401 badly signed, 404 not an
    organisation leakbot watches with a webhook secret)."""
    try:
        doc = json.loads(body)
    except ValueError:
        raise BadDelivery(400, "not JSON") from None
    if not isinstance(doc, dict):
        raise BadDelivery(400, "not a JSON object")
    repo, organization = doc.get("repository"), doc.get("organization")
    full_name = str(repo.get("full_name") or "") if isinstance(repo, dict) else ""
    owner = organization.get("login") if isinstance(organization, dict) else None
    org = str(owner or full_name.partition("/")[0])
    if full_name and not _FULL_NAME.fullmatch(full_name):
        raise BadDelivery(400, "not a repository name")
    secret = secret_of(org) if org else None
    if not secret:
        raise BadDelivery(404, "no org target with a webhook secret for this organisation")
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise BadDelivery(401, "bad signature")
    scan = event == "push" and bool(full_name) and not doc.get("deleted")
    return Delivery(event, org, full_name, scan)
