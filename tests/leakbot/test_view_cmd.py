"""`leakbot view REPORT` as a user runs it: a saved JSON or SARIF report served on loopback with
a printed login token, the same pages as the bot's, nothing that can be changed, no raw key even
from a --show-secrets report; a file that is not a report is one clear error."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from rules.examples import random_token
from scanner.report.read import read_report


@pytest.fixture
def reports(tmp_path):
    key = random_token(random.Random(17), "dh_live_", 40)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(f'DEVHELM_API_TOKEN = "{key}"\n')
    made = {}
    for kind in ("json", "sarif"):
        out = tmp_path / f"report.{kind}"
        args = ["scan", str(tmp_path / "src"), "--format", kind, "-o", str(out), "-q"]
        if kind == "json":
            args.append("--show-secrets")  # the view must not pass it on
        run = subprocess.run([sys.executable, "-m", "leakbot", *args], capture_output=True,
                             text=True, cwd=tmp_path, env={**os.environ, "HOME": str(tmp_path)})  # fmt: skip
        assert run.returncode == 1, run.stderr  # 1: a leak found
        made[kind] = out
    return made, key


def test_a_sarif_report_reads_back_as_the_json_one(reports):
    made, _ = reports
    from_json, from_sarif = read_report(str(made["json"])), read_report(str(made["sarif"]))
    fields = ("rule_id", "vendor", "line", "column", "secret_sha256", "preview", "fingerprint")
    assert [[getattr(f, k) for k in fields] for f in from_sarif] == [
        [getattr(f, k) for k in fields] for f in from_json]  # fmt: skip
    assert from_sarif[0].path.endswith("app.py") and not from_sarif[0].secret


@pytest.mark.parametrize("kind", ["json", "sarif"])
def test_view_serves_a_saved_report_read_only(reports, tmp_path, kind):
    made, key = reports
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("LEAKBOT_WEB_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "leakbot", "view", str(made[kind])],
                            stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
    try:
        deadline = time.time() + 30
        while not any("login?token=" in line for line in lines) and time.time() < deadline:
            time.sleep(0.05)
        (login,) = re.findall(r"(http://127\.0\.0\.1:\d+/login\?token=\S+)", "".join(lines))
        base = login.split("/login")[0]
        assert httpx.get(f"{base}/", timeout=5).status_code == 401  # the token is needed
        with httpx.Client(timeout=5, follow_redirects=True) as client:
            page = client.get(login)
            assert page.status_code == 200 and "1</span> credential" in page.text
            assert "app.py" in page.text and "saved report" in page.text
            detail = client.get(f"{base}/credentials/1")
            assert 'select name="resolution"' not in detail.text  # nothing to act with
            csrf = re.search(r'name="csrf" value="([^"]+)"', detail.text).group(1)
            refused = client.post(f"{base}/credentials/1/wont_fix", data={"csrf": csrf})
            assert refused.status_code == 403 and "saved report" in refused.text
            exported = client.get(f"{base}/export.json").text
        assert key not in exported and key not in page.text + detail.text  # redacted only
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_view_names_a_file_that_is_not_a_report(tmp_path, capsys):
    from leakbot.cli import main

    (tmp_path / "notes.txt").write_text("hello\n")
    assert main(["view", str(tmp_path / "notes.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "notes.txt: not a leakbot report" in err
    assert main(["view", str(tmp_path / "gone.json")]) == 2
    assert "gone.json: cannot read" in capsys.readouterr().err
    assert main(["view", str(tmp_path / "notes.txt"), "--host", "0.0.0.0"]) == 2
