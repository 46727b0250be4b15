"""`--verify`: live and dead keys told apart through the emulator; one call per credential."""

from __future__ import annotations

import json

import httpx

from leakbot.cli import main
from revoker.service import Verdict
from revoker.vendors.devdraft import Devdraft
from revoker.vendors.diffhook import DiffHook
from revoker.verify import verify_findings
from scanner.finding import sha256_hex


def test_scan_verify_against_the_emulator(emulator, tmp_path, capsys, monkeypatch):
    state = emulator.state
    admin_h, admin_d = state.add("helicone", "admin"), state.add("devhelm", "admin")
    live_h, dead_h = state.add("helicone", "ci"), state.add("helicone", "old", revoked=True)
    live_d, dead_d = state.add("devhelm", "ci"), state.add("devhelm", "old", revoked=True)
    unsettled = state.add("devhelm", "no-context")
    monkeypatch.setenv("HELICONE_ADMIN_KEY", admin_h.secret)
    monkeypatch.setenv("DEVHELM_ADMIN_TOKEN", admin_d.secret)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".leakbot.toml").write_text(
        f'version = 1\n[vendors.helicone]\nbase_url = "{emulator.url}"\neu_base_url = "{emulator.url}"\n'
        f'admin_env = "HELICONE_ADMIN_KEY"\n[vendors.devhelm]\nbase_url = "{emulator.url}"\n'
        f'admin_env = "DEVHELM_ADMIN_TOKEN"\n[vendors.diffhook]\nbase_url = "{emulator.url}"\n'
    )
    (repo / "a.env").write_text(f"HELICONE_API_KEY={live_h.secret}\nHELICONE_OLD={dead_h.secret}\n"
                                f"DEVHELM_API_TOKEN={live_d.secret}\nDEVHELM_OLD={dead_d.secret}\n")  # fmt: skip
    (repo / "b.env").write_text(f"HELICONE_API_KEY={live_h.secret}\n")  # the same key again
    (repo / "c.txt").write_text(f"token: {unsettled.secret}\n")  # dh_live_ with no context
    calls_before = state.requests
    assert main(["scan", str(repo), "--verify", "--format", "json", "-j", "1"]) == 1
    out = capsys.readouterr().out
    status = {(f["path"].rsplit("/", 1)[-1], f["line"]): (f["vendor"], f["verification"]["status"])
              for f in json.loads(out)["findings"]}  # fmt: skip
    assert status == {
        ("a.env", 1): ("helicone", "live"),
        ("a.env", 2): ("helicone", "dead"),
        ("a.env", 3): ("devhelm", "live"),
        ("a.env", 4): ("devhelm", "dead"),
        ("b.env", 1): ("helicone", "live"),
        ("c.txt", 1): ("devhelm", "live"),  # asked of DevHelm and DiffHook: DevHelm settles it
    }
    # One call per credential (Helicone asks twice: the admin list, then the key itself when it
    # is not in the list), never one per place it leaked.
    assert state.requests - calls_before <= 2 + 2 + 1 + 1 + 2
    assert all(k.secret not in out for k in (live_h, dead_h, live_d, dead_d, admin_h, admin_d))


def _finding(vendor, secret, partner=b""):
    from scanner.finding import Finding

    return Finding("x.y", vendor, (vendor,), "", "p", 1, 1, 2, sha256_hex(secret), "", "",
                   secret=secret, partner_secret=partner)  # fmt: skip


def test_devdraft_needs_both_halves_and_diffhook_token_exchange():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path))
        if request.url.path == "/api/v0/health":
            ok = request.headers.get("x-client-secret") == "sk_live_good"
            return httpx.Response(200 if ok else 401, json={"authenticated": ok})
        if request.url.path == "/api/oauth/token":
            return httpx.Response(401, json={"error": "invalid_client"})
        return httpx.Response(500)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    services = {"devdraft": Devdraft(client), "diffhook": DiffHook(client)}
    findings = [_finding("devdraft", b"sk_live_good", b"pk_live_pub"),
                _finding("devdraft", b"sk_live_gone", b"pk_live_pub"),
                _finding("devdraft", b"sk_live_alone"),
                _finding("diffhook", b"client-secret-1", b"dh_live_clientid"),
                _finding("diffhook", b"dh_live_flaky")]  # fmt: skip
    verify_findings(findings, services, interval=0)
    assert [f.verification["status"] for f in findings] == [
        "live", "dead", "unverifiable", "dead", "unknown"]  # fmt: skip
    assert ("GET", "/api/monitors") in seen and ("POST", "/api/oauth/token") in seen


def test_helios_is_never_called(emulator):
    from revoker.vendors.helios import Helios

    finding = _finding("helios", b"sk_live_whatever")
    verify_findings([finding], {"helios": Helios(httpx.Client())})
    assert finding.verification == {"status": Verdict.UNVERIFIABLE.value,
                                    "reason": "Helios AI has no free check; its API is billable"}  # fmt: skip


def test_unknown_vendor_setting_is_a_config_error(tmp_path, capsys):
    (tmp_path / ".leakbot.toml").write_text('version = 1\n[vendors.acme]\nbase_url = "https://x"\n')
    assert main(["scan", str(tmp_path), "--config", str(tmp_path / ".leakbot.toml")]) == 2
    assert "vendors.acme: unknown vendor" in capsys.readouterr().err
