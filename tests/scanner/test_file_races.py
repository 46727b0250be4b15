"""A planned file swapped between listing and reading: a FIFO is not waited on, a symlink is not
followed out of the tree; each is named, and the rest of the scan stands."""

from __future__ import annotations

import json
import os
import threading

import pytest

from leakbot.cli import main
from scanner import pipeline


@pytest.fixture
def swap_after_listing(monkeypatch):
    """Replace `victim` by whatever `make` builds, right after the scan has planned its files."""
    real_plan = pipeline.plan

    def arm(victim, make):
        def planned(paths, *rest):
            out = real_plan(paths, *rest)
            victim.unlink()
            make(victim)
            return out

        monkeypatch.setattr(pipeline, "plan", planned)

    return arm


def _scan_in_thread(argv, capsys):
    """main() in a thread, so a scan that blocks fails the test instead of hanging it."""
    box = {}
    worker = threading.Thread(target=lambda: box.update(code=main(argv)), daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the scan blocked on a file swapped for a FIFO"
    out = capsys.readouterr()
    return box["code"], json.loads(out.out), out.err


def test_a_file_swapped_for_a_fifo_is_not_waited_on(tmp_path, keys, capsys, swap_after_listing):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "good.env").write_text(f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n")
    (tree / "swap.env").write_text("nothing\n")
    swap_after_listing(tree / "swap.env", os.mkfifo)
    code, doc, err = _scan_in_thread(["scan", str(tree), "-j", "1", "--format", "json"], capsys)
    assert code == 4 and len(doc["findings"]) == 1
    assert "swap.env: cannot read: no longer a regular file" in err


def test_a_file_swapped_for_a_symlink_is_not_followed(tmp_path, keys, capsys, swap_after_listing):
    tree, outside = tmp_path / "tree", tmp_path / "secret.env"
    tree.mkdir()
    outside.write_text(f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n")
    (tree / "swap.env").write_text("nothing\n")
    swap_after_listing(tree / "swap.env", lambda p: p.symlink_to(outside))
    code, doc, err = _scan_in_thread(["scan", str(tree), "-j", "1", "--format", "json"], capsys)
    assert code == 4 and doc["findings"] == []  # the key outside the tree was never read
    assert "swap.env: cannot read: now a symlink, not followed" in err


def test_a_symlink_named_on_the_command_line_is_followed(tmp_path, keys, capsys):
    target = tmp_path / "real.env"
    target.write_text(f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n")
    (tmp_path / "link.env").symlink_to(target)
    assert main(["scan", str(tmp_path / "link.env"), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["findings"][0]["path"].endswith("link.env")
