"""A credential is sent only to the vendor it is attributed to: a dh_live_ token in a WhatsApp
API's context causes no request at all; a DevHelm one goes to DevHelm only; a bare one, with
nothing naming anyone, is asked of both vendors that share the prefix (the documented case)."""

from __future__ import annotations

import hashlib
import json

from leakbot.cli import main
from tests.emulation import JSONHandler, serve


def _recorder(answer: int):
    seen: list[tuple[str, str]] = []

    class Handler(JSONHandler):
        def do_GET(self) -> None:
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            seen.append((self.path.split("?")[0], hashlib.sha256(bearer.encode()).hexdigest()))
            self.reply(answer, {"data": {"key": {"id": "k1"}}} if answer == 200 else {})

    server, url = serve(Handler)
    return server, url, seen


def test_each_key_goes_to_its_own_vendor_and_no_further(tmp_path, keys, capsys, monkeypatch):
    devhelm, devhelm_url, to_devhelm = _recorder(200)
    diffhook, diffhook_url, to_diffhook = _recorder(401)
    theirs, ours, bare = (keys.rand("dh_live_", 32) for _ in range(3))
    (tmp_path / ".leakbot.toml").write_text(
        f'version = 1\n[vendors.devhelm]\nbase_url = "{devhelm_url}"\n'
        f'[vendors.diffhook]\nbase_url = "{diffhook_url}"\n'
    )
    (tmp_path / "whatsapp.md").write_text(
        "curl https://graph.whatsapp-gateway.io/v2/messages \\\n"
        f'  -H "Authorization: Bearer {theirs}"\n'
    )
    (tmp_path / "devhelm.env").write_text(f"DEVHELM_API_TOKEN={ours}\n")
    (tmp_path / "notes.txt").write_text(f"token: {bare}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEAKBOT_STATE", str(tmp_path / "state.db"))
    try:
        code = main(["scan", ".", "--verify", "--format", "json", "-q", "-j", "1"])
    finally:
        devhelm.shutdown()
        diffhook.shutdown()
    found = {f["path"]: f for f in json.loads(capsys.readouterr().out)["findings"]}
    assert code == 1 and "whatsapp.md" not in found
    digest = {k: hashlib.sha256(k.encode()).hexdigest() for k in (theirs, ours, bare)}
    asked = {d for _, d in to_devhelm} | {d for _, d in to_diffhook}
    assert digest[theirs] not in asked  # never sent to our vendors
    assert {d for _, d in to_devhelm} == {digest[ours], digest[bare]}
    assert {d for _, d in to_diffhook} == {digest[bare]}  # the bare one: both candidates
    assert found["devhelm.env"]["verification"]["status"] == "live"
    assert found["notes.txt"]["vendor"] == "devhelm"  # settled by the one that accepted it
