"""`leakbot scan` as a user runs it: exit codes, reports, the seeds, bad input."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest

from leakbot.cli import main
from tests.corpus import build


def run_cli(*args, stdin=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "leakbot", *args], input=stdin,
                          capture_output=True, cwd=cwd, timeout=300)  # fmt: skip


def test_scan_tree_finds_every_key(tmp_path, keys):
    corpus = build(tmp_path, keys)
    proc = run_cli("scan", str(tmp_path), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    got = {(f["path"], f["vendor"], f["secret_sha256"]) for f in doc["findings"]}
    assert got == corpus.expected
    assert doc["stats"]["binary"] == 1
    summary = proc.stderr.decode()
    assert f"{len(corpus.expected)} findings" in summary and "1 binary skipped" in summary


def test_text_report_is_redacted_with_summary(tmp_path, keys):
    key = keys.rand("dh_live_", 32)
    (tmp_path / "a.py").write_text(f'DEVHELM_API_TOKEN = "{key}"\n')
    proc = run_cli("scan", str(tmp_path))
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert key not in out and key not in proc.stderr.decode()
    assert "devhelm.api-key" in out and "1 finding (devhelm 1) in 1 file" in out
    assert "\x1b[" not in out  # no colour when piped
    shown = run_cli("scan", str(tmp_path), "--show-secrets").stdout.decode()
    assert key in shown


def test_clean_tree_exits_zero(tmp_path):
    (tmp_path / "README.md").write_text("nothing here\n")
    assert run_cli("scan", str(tmp_path)).returncode == 0


def test_stdin_and_logs(tmp_path, keys):
    key = keys.b32("sk-helicone-")
    proc = run_cli(
        "scan", "-", "--format", "jsonl", stdin=f"GET /v1 Helicone-Auth: Bearer {key}\n".encode()
    )
    (finding,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert finding["path"] == "<stdin>" and finding["vendor"] == "helicone"


def test_usage_errors_exit_two(tmp_path, capsys):
    assert main(["scan", str(tmp_path), "--format", "xml"]) == 2
    assert main([]) == 2
    assert main(["scan", str(tmp_path), "--jobs", "0"]) == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err
    assert main(["scan", str(tmp_path / "typo")]) == 2
    assert f"{tmp_path / 'typo'}: no such file or directory" in capsys.readouterr().err


def test_help_shows_examples(capsys):
    for argv in (["--help"], ["scan", "--help"], ["diff", "--help"], ["rules", "--help"],
                 ["baseline", "--help"], ["git", "--help"], ["ci", "--help"], ["init", "--help"],
                 ["rules", "check", "--help"], ["baseline", "create", "--help"]):  # fmt: skip
        assert main(argv) == 0
        assert "examples:" in capsys.readouterr().out


def test_unexpected_error_exits_three_without_message_text(monkeypatch, tmp_path, capsys, keys):
    secret = keys.rand("dh_live_", 32)

    def boom(*_a, **_k):
        raise ValueError(f"cannot handle {secret}")

    monkeypatch.setattr("scanner.pipeline.run_scan", boom)
    assert main(["scan", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "unexpected error: ValueError" in err and secret not in err


def test_diff_command(tmp_path, keys):
    key = keys.rand("dh_live_", 32)
    patch = f"--- a/x.env\n+++ b/x.env\n@@ -1,1 +1,2 @@\n keep\n+DEVHELM_API_TOKEN={key}\n"
    proc = run_cli("diff", "-", "--format", "json", stdin=patch.encode())
    (finding,) = json.loads(proc.stdout)["findings"]
    assert (finding["path"], finding["line"], proc.returncode) == ("x.env", 2, 1)
    missing = run_cli("diff", str(tmp_path / "none.patch"))
    assert missing.returncode == 2 and b"none.patch: cannot read" in missing.stderr


# -- bad input: a one-line note naming the file, and the rest of the scan goes on ---------------


def test_bad_input_is_skipped_and_counted(tmp_path, keys):
    key = keys.rand("dh_live_", 32)
    (tmp_path / "good.env").write_text(f"DEVHELM_API_TOKEN={key}\n")
    (tmp_path / "blob.bin").write_bytes(b"\0\1\2" * 1000 + key.encode())
    (tmp_path / "latin1.txt").write_bytes(
        b"caf\xe9 \xff\xfe DEVHELM_API_TOKEN=" + key.encode() + b"\n"
    )
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    (tmp_path / "escape").symlink_to("/etc/hostname")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "damaged.log.gz").write_bytes(
        gzip.compress(f"DEVHELM_API_TOKEN={key}\n".encode() + os.urandom(100000).hex().encode())[
            :5000
        ]
    )
    proc = run_cli("scan", str(tmp_path), "--format", "json")
    assert proc.returncode == 4  # the damaged .gz could not be read to its end
    doc = json.loads(proc.stdout)
    paths = sorted(f["path"].rsplit("/", 1)[-1] for f in doc["findings"])
    assert paths == ["damaged.log.gz", "good.env", "latin1.txt"]
    assert [p.rsplit("/", 1)[-1][:21] for p in doc["incomplete"]] == ["damaged.log.gz: damag"]
    err = proc.stderr.decode().splitlines()
    assert any("dangling: broken symlink" in line for line in err)
    assert any("escape: symlink points outside the tree" in line for line in err)
    assert any("pipe: not a regular file" in line for line in err)
    assert any("damaged.log.gz: damaged gzip" in line for line in err)
    assert any("blob.bin: binary (NUL bytes" in line for line in err)  # named, not only counted
    assert doc["stats"]["binary"] == 1
    assert "Traceback" not in proc.stderr.decode()


def test_unreadable_file_is_named(tmp_path, keys, monkeypatch, capsys):
    key = keys.rand("dh_live_", 32)
    (tmp_path / "good.env").write_text(f"DEVHELM_API_TOKEN={key}\n")
    locked = tmp_path / "locked.env"
    locked.write_text(f"DEVHELM_API_TOKEN={key}\n")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the read itself fail
        from scanner.sources import files

        real_open = files.open_regular

        def guarded_open(path):
            if str(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path)

        monkeypatch.setattr(files, "open_regular", guarded_open)
    assert main(["scan", str(tmp_path), "--format", "json", "-j", "1"]) == 4  # never "clean"
    captured = capsys.readouterr()
    assert f"{locked}: cannot read: Permission denied" in captured.err
    assert [f["path"] for f in json.loads(captured.out)["findings"]] == [str(tmp_path / "good.env")]


@pytest.mark.slow
def test_200_mb_single_line_file(tmp_path, keys):
    key_mid, key_end = keys.rand("dh_live_", 32), keys.rand("dh_live_", 32)
    path = tmp_path / "huge.min.js"
    block = b"var a=1;" * (1 << 17)  # 1 MiB
    with open(path, "wb") as fh:
        for i in range(200):
            fh.write(block)
            if i == 100:
                fh.write(f'devhelm("{key_mid}");'.encode())
        fh.write(f'DEVHELM_API_TOKEN="{key_end}"'.encode())
    proc = run_cli("scan", str(path), "--format", "json")
    doc = json.loads(proc.stdout)
    assert [(f["line"], f["vendor"]) for f in doc["findings"]] == [(1, "devhelm"), (1, "devhelm")]
    assert doc["findings"][0]["column"] == 101 * len(block) + len('devhelm("') + 1
