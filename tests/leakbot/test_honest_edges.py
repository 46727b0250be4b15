"""Edges where leakbot used to be dishonest or careless: reports written through planted links or
readable by everyone, a state file anyone could read, config errors found late or not at all,
exit codes that said "clean" when they should not."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from leakbot.cli import main


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_planted_temporary_link_is_never_followed(tmp_path, keys, capsys):
    key = keys.rand("dh_live_", 32)
    (tmp_path / "app.env").write_text(f"DEVHELM_API_TOKEN={key}\n")
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    report = tmp_path / "rep.json"
    (tmp_path / "rep.json.tmp").symlink_to(victim)  # the old predictable temporary name
    argv = ["scan", str(tmp_path / "app.env"), "--show-secrets", "--format", "json"]
    assert main([*argv, "-o", str(report)]) == 1
    assert victim.read_text() == "precious\n"
    assert key in report.read_text() and _mode(report) == 0o600  # raw keys: owner only
    report.unlink()
    report.symlink_to(victim)  # a link at the report's own name is replaced, not written through
    assert main([*argv, "-o", str(report)]) == 1
    assert victim.read_text() == "precious\n" and not report.is_symlink()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".rep.json")]
    assert leftovers == []


def test_the_state_database_is_private(tmp_path, keys, capsys):
    from tests.gitrepo import GitRepo

    repo = GitRepo(tmp_path / "r")
    repo.commit("one", {"a.txt": "a\n"})
    state = tmp_path / "state" / "state.db"
    assert main(["git", str(repo.path), "--since-last", "--state", str(state)]) == 0
    assert _mode(state) == 0o600
    state.chmod(0o644)  # from an older leakbot: made private when next opened
    assert main(["git", str(repo.path), "--since-last", "--state", str(state)]) == 0
    assert _mode(state) == 0o600


def _config_error(tmp_path, capsys, text: str) -> str:
    (tmp_path / ".leakbot.toml").write_text(text)
    (tmp_path / "a.txt").write_text("nothing\n")
    assert main(["scan", str(tmp_path / "a.txt"), "--config", str(tmp_path / ".leakbot.toml")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(tmp_path / ".leakbot.toml") in err
    return err


def test_deeply_nested_toml_is_a_config_error(tmp_path, capsys):
    err = _config_error(tmp_path, capsys, "version = 1\nx = " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested too deeply" in err


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('[sinks.env]\ntype = "dotenv"\npath = ".env"\nmode = "0600"\n',
         "sinks.env: unknown key 'mode' for a dotenv sink"),
        ('[[notify]]\ntype = "slack"\nurl = "https://hooks.example/x"\nchannel = "#sec"\n',
         "notify[0]: unknown key 'channel' for a slack notifier"),
        ('[vendors.devhelm]\nbase_url = "http://devhelm.example.com"\n',
         "vendors.devhelm: base_url: refusing http URL"),
        ('[sinks.v]\ntype = "vault"\naddr = "http://vault.example.com"\npath = "a"\n',
         "sinks.v: addr: refusing http URL"),
        ('[[notify]]\ntype = "webhook"\nurl = "http://hooks.example.com"\n',
         "notify[0]: refusing http URL"),
    ],
)  # fmt: skip
def test_revoker_tables_are_checked_when_the_config_loads(tmp_path, capsys, table, expected):
    assert expected in _config_error(tmp_path, capsys, "version = 1\n" + table)


def test_an_unreadable_folder_is_named_not_an_unexpected_error(tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    real_is_file = Path.is_file

    def is_file(self: Path) -> bool:  # as root, chmod 0 does not stop a read: refuse it here
        if self.parent == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    assert main(["scan", str(locked)]) == 2
    assert f"{locked}: cannot read: Permission denied" in capsys.readouterr().err


def test_an_unreadable_single_input_is_never_clean(tmp_path, capsys, monkeypatch):
    from scanner.sources import files

    target = tmp_path / "only.env"
    target.write_text("x\n")

    def refuse(path: str):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(files, "open_regular", refuse)
    assert main(["scan", str(target)]) == 4
    out = capsys.readouterr()
    assert "no leaks found in what could be read" in out.out and "Permission denied" in out.err


def test_a_broken_pipe_keeps_the_findings_exit_code(tmp_path, keys):
    lines = "".join(f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n" for _ in range(3000))
    (tmp_path / "many.env").write_text(lines)
    script = f'"{sys.executable}" -m leakbot scan "{tmp_path}" -j 1; echo $? >&2'
    proc = subprocess.run(["bash", "-c", f"set -o pipefail; ({script}) | head -c 10"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.stderr.strip().splitlines()[-1] == "1"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_the_report_helper_writes_in_place_to_a_fifo(tmp_path):
    from rules.fileio import atomic_text

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    with atomic_text(fifo) as fh:
        fh.write("through the pipe\n")
    assert reader.communicate(timeout=10)[0] == "through the pipe\n"
