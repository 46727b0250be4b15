"""`leakbot emulate` as a real process: it serves, writes its key file privately, and stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time

import httpx

from revoker.http import make_client
from revoker.service import Verdict
from revoker.vendors.devhelm import DevHelm
from revoker.vendors.helicone import Helicone


def test_emulate_process_serves_both_vendors(tmp_path):
    keys_file = tmp_path / "keys.json"
    proc = subprocess.Popen([sys.executable, "-m", "leakbot", "emulate", "--port", "0",
                             "--keys-file", str(keys_file)], stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.time() + 20
        while not keys_file.exists() and time.time() < deadline:
            time.sleep(0.05)
        keys = json.loads(keys_file.read_text())
        assert stat.S_IMODE(os.stat(keys_file).st_mode) == 0o600
        with make_client(httpx.Timeout(5.0)) as client:
            helicone = Helicone(client, keys["helicone"]["admin"], keys["url"], keys["url"])
            assert helicone.verify(keys["helicone"]["live"].encode()).verdict == Verdict.LIVE
            assert helicone.verify(keys["helicone"]["revoked"].encode()).verdict == Verdict.DEAD
            devhelm = DevHelm(client, keys["devhelm"]["admin"], keys["url"])
            assert devhelm.verify(keys["devhelm"]["live"].encode()).verdict == Verdict.LIVE
            assert devhelm.verify(keys["devhelm"]["revoked"].encode()).verdict == Verdict.DEAD
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
        err = proc.stderr.read() if proc.stderr else ""
    assert code == 0
    assert all(k not in err for vendor in ("helicone", "devhelm") for k in keys[vendor].values())


def test_emulate_refuses_a_public_address(capsys):
    from leakbot.cli import main

    assert main(["emulate", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "loopback" in capsys.readouterr().err
