"""The engine on its own: encodings, attribution, pairing, and the two keyword paths agreeing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import builtin_rules
from scanner import engine as engine_mod
from scanner.engine import Engine
from scanner.fragment import Fragment
from tests.conftest import ENGINES as ENGINE_NAMES

ENGINES = {name: Engine(builtin_rules(), name) for name in ENGINE_NAMES}


def scan(text: str | bytes, engine_name: str = ENGINE_NAMES[0], path: str = "f.txt"):
    data = text.encode() if isinstance(text, str) else text
    return ENGINES[engine_name].scan(Fragment(data, path))


@pytest.mark.parametrize(
    "template",
    [
        "https://api.devhelm.io/api/v1/monitors?token={key}&page=1",  # query string
        "GET /hook?devhelm_token={key}%26x=1",  # percent-encoded neighbour
        "curl -H 'Authorization: Bearer%20{key}' https://api.devhelm.io",  # encoded space
        '{{"cell": "DEVHELM_API_TOKEN=\\"{key}\\"\\n"}}',  # JSON-escaped
        '"source": "token:\\n{key}\\n"  # devhelm',  # escaped newline before the key
        "DEVHELM_API_TOKEN={key}\r",  # CRLF
    ],
)
def test_encodings(keys, engine_name, template):
    key = keys.rand("dh_live_", 32)
    (finding,) = scan(template.format(key=key), engine_name)
    assert finding.secret == key.encode() and finding.vendor == "devhelm"


def test_base64_location_points_at_the_encoded_run(keys, engine_name):
    key = keys.rand("dh_live_", 32)
    text = f"kind: Secret\ndata:\n  DEVHELM_API_TOKEN: {keys.b64(key)}\n"
    (finding,) = scan(text, engine_name)
    assert (finding.line, finding.column, finding.encoding) == (3, 22, "base64")
    assert finding.secret == key.encode()


def test_whole_env_file_in_base64(keys, engine_name):
    key = keys.rand("sk_live_", 40)
    text = "data:\n  .env: " + keys.b64(f"PORT=1\nHELIOS_API_KEY={key}\n") + "\n"
    (finding,) = scan(text, engine_name)
    assert finding.vendor == "helios" and finding.secret == key.encode()


def test_ambiguous_dh_live_reports_both_candidates(keys, engine_name):
    (finding,) = scan(f"token = '{keys.rand('dh_live_', 32)}'\n", engine_name)
    assert finding.vendor is None and finding.candidates == ("devhelm", "diffhook")


def test_nearest_context_wins(keys, engine_name):
    text = (f"# devhelm\nA={keys.rand('dh_live_', 32)}\n\n\n\n\n\n\n"
            f"# diffhook\nB={keys.rand('dh_live_', 32)}\n")  # fmt: skip
    assert [f.vendor for f in scan(text, engine_name)] == ["devhelm", "diffhook"]


def test_path_is_context(keys, engine_name):
    (finding,) = scan(f"KEY={keys.rand('dh_live_', 32)}\n", engine_name, "deploy/diffhook.env")
    assert finding.vendor == "diffhook"


def test_stripe_and_bare_sk_live_are_not_reported(keys, engine_name):
    assert scan(f"STRIPE_KEY={keys.rand('sk_live_', 32)}\n", engine_name) == []
    assert scan(f"key = '{keys.rand('sk_live_', 32)}'\n", engine_name) == []


def test_devdraft_pair(keys, engine_name):
    public, secret = keys.rand("pk_live_", 32), keys.rand("sk_live_", 32)
    text = f'headers = {{"x-client-key": "{public}",\n           "x-client-secret": "{secret}"}}\n'
    (finding,) = scan(text, engine_name)
    assert finding.vendor == "devdraft" and finding.secret == secret.encode()
    assert finding.partner_rule_id == "devdraft.public-key"
    assert scan(f'DEVDRAFT_API_KEY="{public}"\n', engine_name) == []


def test_fallback_when_hyperscan_is_missing(monkeypatch, keys):
    monkeypatch.setattr(engine_mod, "hyperscan_available", lambda: False)
    engine = Engine(builtin_rules(), "auto")
    assert engine.matcher.name == "regex"
    key = keys.rand("dh_live_", 32)
    assert engine.scan(Fragment(f"DEVHELM_API_TOKEN={key}".encode(), "x"))[0].secret == key.encode()


TOKENS = st.sampled_from(["dh_live_", "sk-helicone-", "sk_live_", "pk_live_", "HELIOS_API_KEY=",
                          "x-api-key: ", "DEVHELM_API_TOKEN=", "Helicone-Auth: Bearer ", "diffhook",
                          "X-Secret-Key: ", "devdraft", "helios", "stripe", "\n", " ", "\\n", "%20"])  # fmt: skip
BODIES = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-=/+",
                 min_size=0, max_size=48)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(TOKENS, BODIES), max_size=30))
def test_both_engines_agree_on_anything(parts):
    data = "".join(parts).encode()
    reports = [[f.to_dict() for f in scan(data, name)] for name in ENGINES]
    assert reports[0] == reports[1]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_random_bytes_never_crash(data):
    for name in ENGINES:
        scan(data, name)
