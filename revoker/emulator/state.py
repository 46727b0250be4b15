"""The emulator's organisation and keys (in memory, while it runs), and its fault settings."""

from __future__ import annotations

import hashlib
import random
import threading
import time
import uuid
from dataclasses import dataclass, field

from rules.examples import helicone_token, random_token


@dataclass
class Key:
    vendor: str
    key_id: str
    secret: str
    name: str
    permissions: str = "rw"
    partner: str = ""  # DiffHook: the client id of a client secret; Devdraft: the public key
    created: float = field(default_factory=time.time)
    revoked_at: float | None = None

    @property
    def helicone_hash(self) -> str:
        return hashlib.sha256(f"Bearer {self.secret}".encode()).hexdigest()


@dataclass
class Faults:
    latency: float = 0.0  # seconds added to every answer
    error_rate: float = 0.0  # share of requests answered with error_status
    error_status: int = 500
    drop_rate: float = 0.0  # share of requests whose connection is closed without an answer
    auth_cache: float = 0.0  # seconds a revoked key still authenticates (Helicone caches ~10 s)
    hang_rate: float = 0.0  # share of requests left unanswered for `hang` seconds (timeouts)
    hang: float = 5.0


class State:
    def __init__(self, seed: str = "leakbot-emulator", faults: Faults | None = None) -> None:
        self.rng = random.Random(seed)
        self.faults = faults or Faults()
        self.keys: list[Key] = []
        self.requests = 0  # vendor calls answered or faulted (not /_emulator/ views)
        self.lock = threading.Lock()

    def new_secret(self, vendor: str) -> str:
        if vendor == "helicone":
            return helicone_token(self.rng, "sk-helicone-")
        if vendor == "devdraft":
            return random_token(self.rng, "sk_live_", 40)
        return random_token(self.rng, "dh_live_", 40)

    def add(self, vendor: str, name: str, secret: str | None = None, permissions: str = "rw",
            revoked: bool = False, partner: str = "") -> Key:  # fmt: skip
        with self.lock:
            key_id = str(uuid.UUID(int=self.rng.getrandbits(128)))
            key = Key(vendor, key_id, secret or self.new_secret(vendor), name, permissions,
                      partner)  # fmt: skip
            if revoked:
                key.revoked_at = time.time() - 3600
            self.keys.append(key)
            return key

    def authenticate(self, vendor: str, secret: str, partner: str | None = None) -> Key | None:
        """The key behind a bearer token (and its partner half, when the vendor pairs them), if
        it still works (revoked keys linger in the auth cache)."""
        now = time.time()
        with self.lock:
            for key in self.keys:
                if key.vendor != vendor or key.secret != secret:
                    continue
                if partner is not None and key.partner != partner:
                    continue
                if key.revoked_at is None or now < key.revoked_at + self.faults.auth_cache:
                    return key
        return None

    def live(self, vendor: str) -> list[Key]:
        with self.lock:
            return [k for k in self.keys if k.vendor == vendor and k.revoked_at is None]

    def find(self, vendor: str, key_id: str) -> Key | None:
        with self.lock:
            return next((k for k in self.keys if k.vendor == vendor and k.key_id == key_id), None)

    def revoke(self, key: Key) -> None:
        with self.lock:
            if key.revoked_at is None:
                key.revoked_at = time.time()

    def regenerate(self, key: Key) -> None:
        """A new value for the same key id; the old value stops working at once."""
        with self.lock:
            key.secret = self.new_secret(key.vendor)
