"""`leakbot emulate` as a real process: it serves all four checks, writes its key file privately,
and stops on SIGTERM."""

from __future__ import annotations

import os
import stat

import httpx

from revoker.http import make_client
from revoker.service import Verdict
from revoker.vendors.devdraft import Devdraft
from revoker.vendors.devhelm import DevHelm
from revoker.vendors.diffhook import DiffHook
from revoker.vendors.helicone import Helicone
from tests.emulation import emulator_process


def test_emulate_process_serves_every_vendor(tmp_path):
    with emulator_process(tmp_path) as (proc, keys):
        keys_file = tmp_path / "emulator-keys.json"
        assert stat.S_IMODE(os.stat(keys_file).st_mode) == 0o600
        with make_client(httpx.Timeout(5.0)) as client:
            helicone = Helicone(client, keys["helicone"]["admin"], keys["url"], keys["url"])
            assert helicone.verify(keys["helicone"]["live"].encode()).verdict == Verdict.LIVE
            assert helicone.verify(keys["helicone"]["revoked"].encode()).verdict == Verdict.DEAD
            devhelm = DevHelm(client, keys["devhelm"]["admin"], keys["url"])
            assert devhelm.verify(keys["devhelm"]["live"].encode()).verdict == Verdict.LIVE
            assert devhelm.verify(keys["devhelm"]["revoked"].encode()).verdict == Verdict.DEAD
            diffhook = DiffHook(client, base_url=keys["url"])
            dh = keys["diffhook"]
            assert diffhook.verify(dh["live"].encode()).verdict == Verdict.LIVE
            assert diffhook.verify(dh["revoked"].encode()).verdict == Verdict.DEAD
            pair = diffhook.verify(dh["client_secret"].encode(), dh["client_id"].encode())
            assert pair.verdict == Verdict.LIVE
            wrong = diffhook.verify(dh["client_secret"].encode(), dh["live"].encode())
            assert wrong.verdict == Verdict.DEAD
            devdraft = Devdraft(client, base_url=keys["url"])
            dd = keys["devdraft"]
            public = dd["public_key"].encode()
            assert devdraft.verify(dd["live"].encode(), public).verdict == Verdict.LIVE
            assert devdraft.verify(dd["revoked"].encode(), public).verdict == Verdict.DEAD
    err = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 0
    assert all(k not in err for vendor in keys.values() if isinstance(vendor, dict)
               for k in vendor.values())  # fmt: skip


def test_emulate_refuses_a_public_address(capsys):
    from leakbot.cli import main

    assert main(["emulate", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "loopback" in capsys.readouterr().err
