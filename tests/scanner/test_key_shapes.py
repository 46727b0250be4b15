"""A key of a vendor's fixed shape is always found: Helicone's standard, regional, flagged, proxy
and legacy keys are random base32 and are never judged by word heuristics (a random body can
spell `your` or look like words joined by '-'). Placeholders people write by hand are not keys."""

from __future__ import annotations

import random

import pytest

from rules import builtin_rules
from scanner.engine import Engine
from scanner.filters import is_patterned, looks_real
from scanner.fragment import Fragment

BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
PREFIXES = ["sk-helicone-", "pk-helicone-", "sk-helicone-eu-", "sk-helicone-rl-",
            "sk-helicone-eu-rl-", "sk-helicone-cp-", "sk-helicone-gov-"]  # fmt: skip


def _documented_keys(n: int, seed: int) -> list[str]:
    """Keys exactly as VENDORS.md describes them: nothing forced (no digit is planted)."""
    rng = random.Random(seed)

    def body() -> str:
        return "-".join("".join(rng.choice(BASE32) for _ in range(7)) for _ in range(4))

    def uuid() -> str:
        h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[rng.randrange(4)]}{h[17:20]}-{h[20:]}"

    out = []
    for i in range(n):
        kind = i % (len(PREFIXES) + 2)
        if kind < len(PREFIXES):
            out.append(PREFIXES[kind] + body())
        elif kind == len(PREFIXES):
            out.append(f"sk-helicone-proxy-{body()}-{uuid()}")
        else:
            out.append("sk-" + body())  # legacy: found beside its Helicone-Auth header
    return out


def _line(key: str) -> str:
    if "helicone" in key:
        return f'HELICONE_API_KEY="{key}"'
    return f'"Helicone-Auth": "Bearer {key}"'


@pytest.mark.slow
@pytest.mark.parametrize("engine_kind", ["auto", "regex"])
def test_100_000_documented_helicone_keys_are_all_found(engine_kind):
    keys = _documented_keys(100_000, seed=20261202)
    data = "\n".join(_line(k) for k in keys).encode()
    found = {f.secret.decode() for f in Engine(builtin_rules(), engine_kind).scan(
        Fragment(data, "keys.env"))}  # fmt: skip
    missed = [k for k in keys if k not in found]
    assert missed == []


def test_bodies_that_read_like_words_are_still_keys():
    # Each of these was dropped as "an identifier" or "a placeholder word" before.
    for body in ("enyerap-ffvnyfi-emysmut-exvhbce", "yourbox-sampled-inserts-example",
                 "vkkuahm-ywymahy-wtdvjdv-qjzssdi"):  # fmt: skip
        key = f"sk-helicone-{body}".encode()
        data = b'HELICONE_API_KEY="' + key + b'"'
        found = Engine(builtin_rules(), "regex").scan(Fragment(data, "a.env"))
        assert [f.secret for f in found] == [key]


HAND_MADE = [
    b"a1b2c3d4e5f6", b"1a2b3c4d5e6f", b"xx12345yy", b"qwabcdefzz", b"9876543210987654",
    b"aaa2345-bbb2345-ccc2345-ddd2345", b"zzzzzz",
]  # fmt: skip


@pytest.mark.parametrize("text", HAND_MADE)
def test_hand_made_placeholders_are_patterned(text):
    assert is_patterned(b"dh_live_" + text) or is_patterned(text)


def test_random_looking_values_are_not_patterned(keys):
    for _ in range(2000):
        assert not is_patterned(keys.rand("dh_live_", 32).encode())
        assert looks_real(keys.b32("sk-helicone-").encode(), 3.0, True)


def test_a_value_that_breaks_the_vendors_shape_is_a_placeholder():
    engine = Engine(builtin_rules(), "regex")
    for value in (b"sk-helicone-k2m3n4p-q5r6s7t", b"sk-helicone-ab0cd9x-ef8gh1y-ij0kl9z-mn8op1q"):
        assert engine.scan(Fragment(b"HELICONE_API_KEY=" + value + b"\n", "a.env")) == []
