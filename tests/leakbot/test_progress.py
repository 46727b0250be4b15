"""A progress bar on a terminal's stderr; none when piped or quiet."""

from __future__ import annotations

import io

import pytest

from leakbot import progress
from leakbot.cli import main


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def logs(tmp_path):
    for i in range(4):
        (tmp_path / f"app{i}.log").write_text("INFO ok\n" * 200000)
    return tmp_path


def test_bar_on_terminal(logs, monkeypatch, capsys):
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    assert main(["scan", str(logs), "-j", "1"]) == 0
    assert "scanning" in terminal.getvalue()


@pytest.mark.parametrize("quiet", [True, False])
def test_no_bar_when_piped_or_quiet(logs, monkeypatch, quiet, capsys):
    monkeypatch.setattr(progress, "DELAY", 0.0)
    if quiet:
        terminal = FakeTerminal()
        monkeypatch.setattr("sys.stderr", terminal)
        assert main(["scan", str(logs), "-j", "1", "-q"]) == 0
        assert terminal.getvalue() == ""
    else:
        assert main(["scan", str(logs), "-j", "1"]) == 0
        assert "scanning" not in capsys.readouterr().err
