"""Keys in text that is not plain UTF-8 are found the same way in a tree and in history: inside
committed `.gz` files, and in UTF-16/UTF-32 text (Windows configs, PowerShell output)."""

from __future__ import annotations

import gzip
import json
import sys

import pytest

from leakbot.cli import main
from scanner.sources.transcode import wide_encoding
from tests.gitrepo import GitRepo

WIDE = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"]


def _text(key: str) -> str:
    return f"# settings\r\nname = app\r\nDEVHELM_API_TOKEN={key}\r\n"


def _found(capsys, argv) -> list[dict]:
    code = main([*argv, "--format", "json", "-j", "1"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1, doc
    return doc["findings"]


@pytest.mark.parametrize("encoding", WIDE)
def test_wide_text_is_decoded_in_files_and_history(tmp_path, keys, capsys, encoding):
    key = keys.rand("dh_live_", 32)
    data = _text(key).encode(encoding)  # "utf-16"/"utf-32" write a byte order mark
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "settings.ini").write_bytes(data)
    [found] = _found(capsys, ["scan", str(tmp_path / "tree")])
    assert (found["line"], found["column"]) == (3, 19)
    repo = GitRepo(tmp_path / "repo")
    repo.commit("windows config", {"settings.ini": data})
    [found] = _found(capsys, ["git", str(repo.path)])
    assert found["path"] == "settings.ini" and found["line"] == 3


def test_gzip_in_history_is_read_as_file_scans_read_it(tmp_path, keys, capsys):
    key, wide_key = keys.rand("dh_live_", 32), keys.rand("dh_live_", 32)
    repo = GitRepo(tmp_path / "repo")
    repo.commit("logs", {
        "logs/app.log.gz": gzip.compress(f"start\nDEVHELM_API_TOKEN={key}\n".encode()),
        "logs/ps.log.gz": gzip.compress(_text(wide_key).encode("utf-16")),
    })  # fmt: skip
    found = _found(capsys, ["git", str(repo.path)])
    assert sorted((f["path"], f["line"]) for f in found) == [
        ("logs/app.log.gz", 2), ("logs/ps.log.gz", 3)]  # fmt: skip
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree" / "app.log.gz").write_bytes((repo.path / "logs" / "app.log.gz").read_bytes())
    assert [f["line"] for f in _found(capsys, ["scan", str(tmp_path / "tree")])] == [2]


def test_a_damaged_gzip_blob_keeps_what_inflated_and_says_so(tmp_path, keys, capsys):
    import os

    key = keys.rand("dh_live_", 32)
    whole = gzip.compress(f"DEVHELM_API_TOKEN={key}\n".encode() + os.urandom(200000).hex().encode())
    repo = GitRepo(tmp_path / "repo")
    repo.commit("cut", {"cut.log.gz": whole[:20000]})
    code = main(["git", str(repo.path), "--format", "json", "-j", "1"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 4 and len(doc["findings"]) == 1
    assert any("damaged gzip" in p for p in doc["incomplete"])


def test_wide_encoding_needs_evidence():
    assert wide_encoding(b"plain ascii text, long enough") is None
    assert wide_encoding("plain ascii text, long enough".encode("utf-16-le")) == "utf-16-le"
    assert wide_encoding("plain ascii text, long enough".encode("utf-32-be")) == "utf-32-be"
    assert wide_encoding(b"\x00\x01\x02\x03" * 8) is None  # binary, not text


@pytest.fixture(params=["isal", "zlib"])
def inflater(request, monkeypatch):
    """Each gzip test with ISA-L's inflater and with the standard library's (isal hidden)."""
    from scanner.sources.transcode import inflaters

    if request.param == "isal":
        pytest.importorskip("isal", reason="python-isal is installed only on CPython")
    else:
        monkeypatch.setitem(sys.modules, "isal", None)  # `from isal import ...` now fails
    inflaters.cache_clear()  # decided again, with isal hidden or not
    assert inflaters()[0].__module__.startswith("isal" if request.param == "isal" else "gzip")
    yield request.param
    inflaters.cache_clear()  # the next test decides with isal as installed


def test_both_inflaters_read_every_member_of_a_concatenated_gzip(tmp_path, keys, capsys, inflater):
    first, second = keys.rand("dh_live_", 32), keys.rand("dh_live_", 32)
    members = [f"a\nDEVHELM_API_TOKEN={first}\n", "b\n" * 70000 + f"DEVHELM_API_TOKEN={second}\n"]
    (tmp_path / "rotated.log.gz").write_bytes(b"".join(gzip.compress(m.encode()) for m in members))
    found = _found(capsys, ["scan", str(tmp_path)])
    assert [f["line"] for f in found] == [2, 70003]


def test_both_inflaters_keep_what_came_before_a_corrupt_byte(tmp_path, keys, capsys, inflater):
    import random

    key = keys.rand("dh_live_", 32)
    noise = random.Random(7).randbytes(300000).hex().encode()
    whole = bytearray(gzip.compress(f"DEVHELM_API_TOKEN={key}\n".encode() + noise))
    whole[len(whole) // 2] ^= 0xFF
    (tmp_path / "bad.log.gz").write_bytes(bytes(whole))
    code = main(["scan", str(tmp_path), "--format", "json", "-j", "1"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 4 and [f["line"] for f in doc["findings"]] == [1]
    assert [p.split(": ", 1)[1][:13] for p in doc["incomplete"]] == ["damaged gzip "]
