"""Attribution on realistic text: every key in our vendors' contexts found for the right vendor
(the Devdraft SDKs' own forms too, halves 20 lines apart), none of the keys of other products that
share the prefixes and headers, on both engines, in files and in git history."""

from __future__ import annotations

import json

import pytest

from leakbot.cli import main
from scanner.finding import sha256_hex
from tests.attribution_corpus import _ours, _theirs, measure
from tests.conftest import Keys
from tests.gitrepo import GitRepo


@pytest.mark.parametrize("engine", ["auto", "regex"])
def test_the_corpus_is_found_and_nothing_else(engine):
    score = measure(seeds=10, engine=engine)
    assert (score.missed, score.misattributed, score.false_alarms) == (0, 0, 0), str(score)


def _tree(tmp_path):
    keys = Keys("attribution-files")
    ours, theirs = {}, set()
    files = {}
    for n, template in enumerate([*_ours(), *_theirs()]):
        text, secret, vendor = template(keys)
        files[f"docs/snippet{n:02d}.md"] = text
        if vendor:
            ours[sha256_hex(secret.encode())] = vendor
        else:
            theirs.add(sha256_hex(secret.encode()))
    return files, ours, theirs


def test_files_and_history_agree(tmp_path, capsys):
    files, ours, theirs = _tree(tmp_path)
    repo = GitRepo(tmp_path / "repo")
    repo.commit("docs", files)
    for argv in (["scan", str(repo.path)], ["git", str(repo.path)]):
        assert main([*argv, "--format", "json", "-j", "1", "-q"]) == 1
        found = json.loads(capsys.readouterr().out)["findings"]
        by_secret = {f["secret_sha256"]: f for f in found}
        assert set(by_secret) >= set(ours) and not set(by_secret) & theirs
        for digest, vendor in ours.items():
            assert vendor in (by_secret[digest]["vendor"], *by_secret[digest]["candidates"])
    paired = [
        f for f in found if f["vendor"] == "devdraft" and f["rule_id"] == "devdraft.client-secret"
    ]
    assert paired and all(f["partner"] for f in paired)  # the public half, 20 lines away too
