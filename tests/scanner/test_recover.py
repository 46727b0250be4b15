"""A key read again by its hash from where it was found: a file, a rotated log, a git blob."""

from __future__ import annotations

import gzip
import os

import pytest

from rules import builtin_rules
from scanner.engine import Engine
from scanner.finding import sha256_hex
from scanner.recover import location_of, read_again
from tests.gitrepo import GitRepo


@pytest.fixture(scope="module")
def engine():
    return Engine(builtin_rules(), "regex")


def _found(engine, path):
    from scanner.pipeline import run_scan

    (finding,) = run_scan(engine, [str(path)], jobs=1).findings
    return finding


def test_a_file_then_its_rotated_copies_then_nothing(tmp_path, keys, engine):
    key = keys.rand("dh_live_", 40)
    log = tmp_path / "api.log"
    log.write_text(f"level=info\nlevel=debug DEVHELM_API_TOKEN={key}\n")
    where = location_of(_found(engine, log))
    digest = sha256_hex(key.encode())
    assert read_again(engine, where, digest).secret.decode() == key

    log.rename(tmp_path / "api.log.1")  # logrotate: renamed, a fresh file in its place
    log.write_text("level=info\n")
    assert read_again(engine, where, digest).secret.decode() == key

    with (
        open(tmp_path / "api.log.1", "rb") as src,
        gzip.open(tmp_path / "api.log.2.gz", "wb") as gz,
    ):
        gz.write(src.read())
    os.remove(tmp_path / "api.log.1")
    assert read_again(engine, where, digest).secret.decode() == key

    (tmp_path / "api.logger.txt").write_text(f"DEVHELM_API_TOKEN={key}\n")  # not a rotation
    os.remove(tmp_path / "api.log.2.gz")
    assert read_again(engine, where, digest) is None
    assert read_again(engine, {"path": "-", "line": 1}, digest) is None


def test_a_git_blob_is_read_again_after_the_file_is_gone(tmp_path, keys, engine):
    key = keys.rand("dh_live_", 40)
    repo = GitRepo(tmp_path / "r")
    commit = repo.commit("leak", {"deploy.env": f"DEVHELM_API_TOKEN={key}\n"})
    repo.commit("fix", {"deploy.env": "DEVHELM_API_TOKEN=\n"})
    where = {"path": "deploy.env", "line": 1, "repo": str(repo.path), "commit": commit}
    assert read_again(engine, where, sha256_hex(key.encode())).secret.decode() == key
    assert read_again(engine, {**where, "commit": "0" * 40}, sha256_hex(key.encode())) is None
