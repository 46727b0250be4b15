"""Random bytes, random file names (control characters, invalid UTF-8) and random revision
strings through `scan`, `diff`, `git --range` and `ci`: never a traceback, never exit 3, and no
file written anywhere but the report's own path."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leakbot.cli import main
from tests.gitrepo import GitRepo

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
ALLOWED = {0, 1, 2, 4}  # clean, findings, usage/config error, incomplete: never 3

names = st.binary(min_size=1, max_size=60).map(
    lambda b: b.replace(b"/", b"_").replace(b"\0", b"_")
).filter(lambda b: b not in (b".", b".."))  # fmt: skip
contents = st.one_of(
    st.binary(max_size=2000),
    st.builds(lambda pre, key, post: pre + key + post,
              st.binary(max_size=200), st.sampled_from([b"DEVHELM_API_TOKEN=dh_live_",
                                                        b"sk-helicone-", b"leakbot:allow"]),
              st.binary(max_size=200)),
)  # fmt: skip
revisions = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["--output=x", "-p", "--all", "HEAD", "HEAD~1", "@{-1}", ":/", "^!", "..",
                     "HEAD..--output=y", "--end-of-options", "0" * 40, "a" * 64, "HEAD^{tree}"]),
)  # fmt: skip


def _listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@contextmanager
def _sandbox() -> Iterator[Path]:
    """A fresh folder that is also the working directory, for one example."""
    before = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)
        try:
            yield Path(folder)
        finally:
            os.chdir(before)


def _run(capsys, argv: list[str]) -> int:
    code = main(argv)
    err = capsys.readouterr().err
    assert code in ALLOWED, err
    assert "Traceback" not in err and "unexpected error" not in err
    return code


@FUZZ
@given(name=names, data=contents, fmt=st.sampled_from(["text", "json", "sarif", "jsonl"]))
def test_scan_random_files(capsys, name, data, fmt):
    with _sandbox() as root:
        tree = root / "tree"
        tree.mkdir()
        (tree / os.fsdecode(name)).write_bytes(data)
        before = _listing(root)
        _run(capsys, ["scan", str(tree), "--format", fmt, "-o", str(root / "out"), "-j", "1"])
        assert _listing(root) - before == {"out"}


@FUZZ
@given(data=st.one_of(st.binary(max_size=3000), st.builds(
    lambda name, body: b"--- a/x\n+++ " + name + b"\n@@ -0,0 +1,3 @@\n" + body,
    st.binary(max_size=80), st.binary(max_size=400))))  # fmt: skip
def test_diff_random_input(capsys, data):
    with _sandbox() as root:
        (root / "in.patch").write_bytes(data)
        before = _listing(root)
        _run(capsys, ["diff", str(root / "in.patch"), "--format", "json"])
        assert _listing(root) == before


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    made = GitRepo(tmp_path_factory.mktemp("fuzzrepo") / "r")
    made.commit("one", {"a.txt": "a\n"})
    made.commit("two", {"b.env": "DEVHELM_API_TOKEN=dh_live_" + "Ab3" * 11 + "\n"})
    return made


@FUZZ
@given(base=revisions, head=revisions)
def test_git_range_random_revisions(capsys, repo, base, head):
    with _sandbox() as root:
        before = _listing(repo.path)
        _run(capsys, ["git", str(repo.path), f"--range={base}..{head}", "-q"])
        assert _listing(root) == set() and _listing(repo.path) == before


@FUZZ
@given(event=st.sampled_from(["push", "pull_request", "schedule"]), base=revisions, head=revisions)
def test_ci_random_payloads(capsys, repo, event, base, head):
    payload = {"before": base, "after": head,
               "pull_request": {"base": {"sha": base}, "head": {"sha": head}}}  # fmt: skip
    with _sandbox() as root:
        (root / "event.json").write_text(json.dumps(payload))
        before = _listing(repo.path)
        _run(
            capsys,
            [
                "ci",
                str(repo.path),
                "--event-name",
                event,
                "--event-path",
                str(root / "event.json"),
                "--sarif-file",
                str(root / "out.sarif"),
            ],
        )
        assert _listing(root) <= {"event.json", "out.sarif"}
        assert _listing(repo.path) == before
