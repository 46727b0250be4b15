"""Helicone and DevHelm clients against the key-service emulator on loopback (real HTTP)."""

from __future__ import annotations

import httpx
import pytest

from revoker.emulator.state import Faults
from revoker.errors import InsecureURL, RevokerError
from revoker.http import make_client
from revoker.registry import SERVICES
from revoker.service import Verdict
from revoker.urls import check_url
from revoker.vendors.devhelm import DevHelm
from revoker.vendors.helicone import Helicone


@pytest.fixture
def client():
    with make_client(httpx.Timeout(2.0)) as c:
        yield c


def keys_view(server, client):
    return client.get(f"{server.url}/_emulator/keys").json()


def test_helicone_verify_locate_reissue_revoke(emulator, client):
    state = emulator.state
    admin = state.add("helicone", "admin")
    leaked = state.add("helicone", "ci")
    dead = state.add("helicone", "old", revoked=True)
    service = Helicone(client, admin.secret, base_url=emulator.url, eu_base_url=emulator.url)

    live = service.verify(leaked.secret.encode())
    assert (live.verdict, live.key_id) == (Verdict.LIVE, leaked.key_id)
    assert service.verify(dead.secret.encode()).verdict == Verdict.DEAD
    assert service.verify(b"sk-helicone-proxy-" + b"a" * 36).verdict == Verdict.UNVERIFIABLE

    new = service.reissue("ci (rotated by leakbot)", leaked.secret.encode())
    assert (
        new.secret.startswith(b"sk-helicone-")
        and service.verify(new.secret).verdict == Verdict.LIVE
    )
    service.revoke(live.key_id, leaked.secret.encode())
    assert service.verify(leaked.secret.encode()).verdict == Verdict.DEAD
    with pytest.raises(RevokerError, match="HTTP 500"):  # Helicone answers 500 for an unknown id
        service.revoke("no-such-id", leaked.secret.encode())
    view = keys_view(emulator, client)
    assert all(leaked.secret not in str(row) for row in view)


def test_helicone_without_admin_key(emulator, client):
    reader = emulator.state.add("helicone", "reader")
    writer = emulator.state.add("helicone", "writer", permissions="w")
    service = Helicone(client, None, base_url=emulator.url, eu_base_url=emulator.url)
    assert service.verify(reader.secret.encode()).verdict == Verdict.LIVE
    # A write-only key gets 401 too: with no admin listing to compare, that is not proof of death.
    assert service.verify(writer.secret.encode()).verdict == Verdict.UNKNOWN
    with pytest.raises(RevokerError, match="no admin credential"):
        service.reissue("x", reader.secret.encode())


def test_devhelm_verify_reissue_revoke(emulator, client):
    admin = emulator.state.add("devhelm", "admin")
    leaked = emulator.state.add("devhelm", "ci")
    service = DevHelm(client, admin.secret, base_url=emulator.url)
    live = service.verify(leaked.secret.encode())
    assert (live.verdict, live.key_id) == (Verdict.LIVE, leaked.key_id)
    new = service.reissue("ci (rotated)", leaked.secret.encode())
    assert new.secret.startswith(b"dh_live_")
    service.revoke(leaked.key_id, leaked.secret.encode())
    assert service.verify(leaked.secret.encode()).verdict == Verdict.DEAD
    assert service.verify(new.secret).verdict == Verdict.LIVE


@pytest.mark.parametrize("faults", [Faults(error_rate=1.0, error_status=500),
                                    Faults(error_rate=1.0, error_status=429),
                                    Faults(drop_rate=1.0), Faults(latency=0.6)])  # fmt: skip
def test_faults_are_unknown_never_dead(emulator, faults):
    client = make_client(httpx.Timeout(0.3))
    admin = emulator.state.add("helicone", "admin")
    leaked = emulator.state.add("helicone", "ci")
    dh = emulator.state.add("devhelm", "ci")
    emulator.state.faults = faults
    helicone = Helicone(client, admin.secret, base_url=emulator.url, eu_base_url=emulator.url)
    assert helicone.verify(leaked.secret.encode()).verdict == Verdict.UNKNOWN
    assert (
        DevHelm(client, None, base_url=emulator.url).verify(dh.secret.encode()).verdict
        == Verdict.UNKNOWN
    )


def test_auth_cache_keeps_a_revoked_key_alive_for_a_while(emulator, client):
    emulator.state.faults = Faults(auth_cache=60)
    leaked = emulator.state.add("devhelm", "ci")
    admin = emulator.state.add("devhelm", "admin")
    service = DevHelm(client, admin.secret, base_url=emulator.url)
    service.revoke(leaked.key_id, leaked.secret.encode())
    # Revoked, but the vendor's auth cache still accepts it: re-verification must back off.
    assert service.verify(leaked.secret.encode()).verdict == Verdict.LIVE


def test_plain_http_only_to_loopback(client):
    assert check_url("https://api.helicone.ai") == "https://api.helicone.ai"
    assert check_url("http://127.0.0.1:8080") and check_url("http://localhost:1")
    for url in ("http://api.helicone.ai", "http://10.0.0.5", "ftp://x"):
        with pytest.raises(InsecureURL):
            check_url(url)
    with pytest.raises(InsecureURL):
        Helicone(client, None, base_url="http://api.helicone.ai")
    with pytest.raises(InsecureURL):  # a redirect or a hand-built request is checked too
        client.get("http://example.org/")


def test_registry_lists_each_client_against_the_protocol(client):
    assert set(SERVICES) == {"helicone", "devhelm", "diffhook", "devdraft", "helios"}
    full = {"verify", "locate", "reissue", "revoke"}
    expected = {"helicone": full, "devhelm": full, "diffhook": {"verify"}, "devdraft": {"verify"},
                "helios": set()}  # fmt: skip
    for vendor, factory in SERVICES.items():
        service = factory(client, None)
        assert service.vendor == vendor and service.capabilities == expected[vendor]
