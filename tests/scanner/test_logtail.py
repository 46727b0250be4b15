"""Logs followed across runs: appends, partial lines, rename rotation, copytruncate, gzip
rotations read once, and a cursor that is only what the caller saves."""

from __future__ import annotations

import gzip
import os

import pytest

from rules import builtin_rules
from scanner.engine import Engine
from scanner.sources.logtail import scan_logs


@pytest.fixture(scope="module")
def engine():
    return Engine(builtin_rules(), "regex")


class Log:
    def __init__(self, folder, keys):
        self.folder, self.keys, self.cursor = folder, keys, None
        self.path = folder / "app.log"

    def line(self, key=None, newline=True):
        text = f"level=info msg=boot DEVHELM_API_TOKEN={key}" if key else "level=info msg=ok"
        with open(self.path, "a") as fh:
            fh.write(text + ("\n" if newline else ""))

    def key(self):
        return self.keys.rand("dh_live_", 40)

    def run(self, engine, patterns=None):
        result, self.cursor = scan_logs(engine, patterns or [str(self.folder / "app.log*")],
                                        self.cursor)  # fmt: skip
        return [(os.path.basename(f.path), f.line, f.secret.decode()) for f in result.findings]


def test_only_new_lines_and_a_partial_line_waits(tmp_path, keys, engine):
    log = Log(tmp_path, keys)
    a, b = log.key(), log.key()
    log.line()
    log.line(a)
    assert log.run(engine) == [("app.log", 2, a)]
    assert log.run(engine) == []
    log.line()
    log.line(b, newline=False)  # still being written
    assert log.run(engine) == []
    with open(log.path, "a") as fh:
        fh.write(" more\n")
    assert log.run(engine) == [("app.log", 4, b)]


def test_rename_rotation_finishes_the_old_file_and_starts_the_new(tmp_path, keys, engine):
    log = Log(tmp_path, keys)
    a, b, c = log.key(), log.key(), log.key()
    log.line(a)
    assert log.run(engine, [str(tmp_path / "app.log")]) == [("app.log", 1, a)]
    log.line(b)  # written after the last run, before the rotation
    os.rename(log.path, tmp_path / "app.log.1")  # out of the glob "app.log"
    log.line(c)
    found = log.run(engine, [str(tmp_path / "app.log")])
    assert sorted(found) == [("app.log", 1, c), ("app.log.1", 2, b)]
    assert log.run(engine, [str(tmp_path / "app.log")]) == []


def test_copytruncate_and_compressed_rotation_neither_rescan_nor_skip(tmp_path, keys, engine):
    log = Log(tmp_path, keys)
    a, b, c, d = (log.key() for _ in range(4))
    log.line(a)
    assert log.run(engine) == [("app.log", 1, a)]
    log.line(b)
    # logrotate copytruncate + compress: the copy is gzipped, the original truncated.
    with gzip.open(tmp_path / "app.log.1.gz", "wb") as gz:
        gz.write(log.path.read_bytes())
    log.path.write_text("")
    log.line(c)
    assert sorted(log.run(engine)) == [("app.log", 1, c), ("app.log.1.gz", 2, b)]
    assert log.run(engine) == []  # the .gz is read once
    log.line(d)
    assert log.run(engine) == [("app.log", 2, d)]


def test_a_truncated_file_that_grew_back_is_read_from_the_start(tmp_path, keys, engine):
    log = Log(tmp_path, keys)
    a, b = log.key(), log.key()
    log.line(a)
    log.run(engine)
    log.path.write_text("x" * 10 + "\n")
    log.line(b)
    assert log.run(engine) == [("app.log", 2, b)]


def test_a_new_unrelated_gz_is_read_whole_and_the_cursor_is_not_saved_by_scanning(
    tmp_path, keys, engine
):
    log = Log(tmp_path, keys)
    a = log.key()
    with gzip.open(tmp_path / "app.log.7.gz", "wb") as gz:
        gz.write(f"DEVHELM_API_TOKEN={a}\n".encode())
    assert log.run(engine) == [("app.log.7.gz", 1, a)]
    saved = log.cursor
    log.cursor = None  # a crash before the cursor was saved: the same findings come again
    assert log.run(engine) == [("app.log.7.gz", 1, a)]
    assert log.cursor == saved
    (tmp_path / "app.log.8.gz").write_bytes(b"\x1f\x8b not really gzip")
    result, _ = scan_logs(engine, [str(tmp_path / "app.log.8.gz")], None)
    assert "damaged gzip" in result.notes[0]
