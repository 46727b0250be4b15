"""Gated keywords: a keyword whose rules all need context is looked for only near that context
(Hyperscan), and the findings stay those of the pure path, which looks everywhere."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import builtin_rules
from scanner.engine import Engine
from scanner.fragment import Fragment
from scanner.keywords import CONTEXT_REACH
from scanner.matcher import hyperscan_available

pytestmark = pytest.mark.skipif(not hyperscan_available(), reason="hyperscan is not installed")

HYPERSCAN = Engine(builtin_rules(), "hyperscan")
REGEX = Engine(builtin_rules(), "regex")
FILLER = b"2026-12-02 INFO upstream ok status=200 latency=12ms\n"


def _header(key: str) -> bytes:
    return f"POST /v1/run x-api-key: {key}\n".encode()


def _findings(engine: Engine, data: bytes, path: str = "app.log") -> list[dict[str, object]]:
    return [f.to_dict() for f in engine.scan(Fragment(data, path))]


def test_a_gated_keyword_far_from_its_context_costs_no_report(keys):
    """Thousands of other services' x-api-key headers: Hyperscan reports none of them, so the
    engine pays nothing per header; the one near a Helios mention is still found."""
    noise = b"".join(_header(keys.rand("", 32)) + FILLER for _ in range(3000))
    near = b"helios client ready\n" + _header(keys.rand("", 40))
    data = noise + near + noise
    kit = HYPERSCAN.kit(len(data))
    x_api_key = next(i for i, k in enumerate(kit.table.keywords) if k.text == b"x-api-key")
    hits = kit.matcher.find(data)
    assert x_api_key in hits.present
    reported = [start for index, start in hits.keywords if index == x_api_key]
    assert len(noise) + near.index(b"x-api-key") in reported
    assert len(reported) < 100  # of 6,001: only those within reach of the mention
    assert all(abs(start - len(noise)) < 2 * CONTEXT_REACH for start in reported)
    found = _findings(HYPERSCAN, data)
    assert [f["vendor"] for f in found] == ["helios"]
    assert found == _findings(REGEX, data)


def test_the_path_opens_a_gated_keyword_everywhere(keys):
    data = b"".join(_header(keys.rand("", 32)) + FILLER * 60 for _ in range(20))
    assert _findings(HYPERSCAN, data) == _findings(REGEX, data) == []
    opened = _findings(HYPERSCAN, data, "deploy/helios/gateway.log")
    assert len(opened) == 20
    assert opened == _findings(REGEX, data, "deploy/helios/gateway.log")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    gaps=st.lists(st.integers(0, 2 * CONTEXT_REACH), min_size=1, max_size=6),
    words=st.lists(st.sampled_from(["helios", "devdraft", "x-api-key", "stripe"]), min_size=1),
    keyword=st.sampled_from(["x-api-key: ", "sk_live_", "X-Secret-Key: ", "x-client-secret: "]),
)
def test_both_engines_agree_at_any_distance_from_context(gaps, words, keyword):
    """Keys placed around the edge of the context's reach, on either side of it."""
    import random

    rng = random.Random(len(gaps) * 7919 + sum(gaps))
    body = "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                   for _ in range(40))  # fmt: skip
    parts = []
    for n, gap in enumerate(gaps):
        parts.append(words[n % len(words)].encode() + b" ")
        parts.append(b"." * gap + b"\n")
        parts.append(f"{keyword}{body}\n".encode())
    data = b"".join(parts)
    assert _findings(HYPERSCAN, data) == _findings(REGEX, data)


def test_a_small_keyword_set_is_filled_with_inert_literals_that_never_hit(keys):
    """A few rules make a database Hyperscan would serve with its slower literal matcher: it is
    filled up with inert literals. Their matches are dropped, and the findings are the pure
    engine's, for self-named keys, plain and base64-encoded, among bytes that spell the filler."""
    import base64

    from scanner.matcher import _INERT, FDR_ENTRIES, HyperscanMatcher

    few = [r for r in builtin_rules() if r.role == "secret" and r.vendor == "devhelm"]
    small, pure = Engine(few, "hyperscan"), Engine(few, "regex")
    matcher = small.kit(1 << 20).matcher
    assert isinstance(matcher, HyperscanMatcher)
    assert len(small.kit(1 << 20).table.keywords) < matcher.entries == FDR_ENTRIES
    env = f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n".encode()
    data = b"".join([
        FILLER * 50, _INERT % 0, b"\n", env, _INERT % 7 + FILLER,
        base64.b64encode(b"x=1\n" + env) + b"\n", b"\xff\xfeleakbot-inert-" * 3, FILLER,
    ])  # fmt: skip
    hits = matcher.find(data)
    assert all(index < matcher._inert for index, _ in hits.keywords)
    found = _findings(small, data)
    assert [f["encoding"] for f in found] == ["plain", "base64"]
    assert found == _findings(pure, data)
