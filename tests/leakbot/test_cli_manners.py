"""The CLI as people expect it: --version on stdout, a hint that fits (no `leakbot init` when a
config exists; no "rotate" when every key is verified dead), the reason for UNKNOWN in text,
decimal byte units as the progress bar shows them, and baseline-hidden findings counted."""

from __future__ import annotations

import subprocess
import sys

from leakbot.cli import main
from scanner.finding import Finding
from scanner.report.text import finding_line, summary_line
from scanner.result import Stats


def test_version_goes_to_stdout():
    proc = subprocess.run([sys.executable, "-m", "leakbot", "--version"], capture_output=True,
                          text=True)  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.startswith("leakbot ") and proc.stderr == ""


def test_the_hint_fits_the_situation(tmp_path, keys, capsys, monkeypatch):
    from leakbot import config
    from leakbot.commands.common import hint

    monkeypatch.chdir(tmp_path)
    found = [Finding("devhelm.api-key", "devhelm", ("devhelm",), "d", "a.env", 1, 1, 2, "0" * 64,
                     "p", "f")]  # fmt: skip
    assert "`leakbot init` writes one" in hint(found, config.load())
    (tmp_path / ".leakbot.toml").write_text("version = 1\n")
    text = hint(found, config.load())
    assert "leakbot init" not in text and "rotate the keys above" in text
    found[0].verification = {"status": "dead", "reason": "401"}
    assert "already dead" in hint(found, config.load())


def test_unknown_says_why_in_text():
    f = Finding("devhelm.api-key", "devhelm", ("devhelm",), "d", "a.env", 1, 1, 2, "0" * 64, "p",
                "f", verification={"status": "unknown", "reason": "no answer: ReadTimeout"})  # fmt: skip
    assert "[UNKNOWN: no answer: ReadTimeout]" in finding_line(f)


def test_sizes_are_decimal_and_baselined_findings_counted(tmp_path, keys, capsys):
    assert "4.5 GB" in summary_line([], Stats(files=3, bytes=4_500_000_000))
    (tmp_path / "a.env").write_text(f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n")
    base = str(tmp_path / "base.json")
    assert main(["baseline", "create", str(tmp_path), "-o", base, "-q", "-j", "1"]) == 0
    assert main(["scan", str(tmp_path), "--baseline", base, "-j", "1"]) == 0
    assert "1 known to the baseline, not shown" in capsys.readouterr().out


def test_since_last_with_nothing_new_says_so(tmp_path, capsys):
    from tests.gitrepo import GitRepo

    repo = GitRepo(tmp_path / "r")
    repo.commit("one", {"a.txt": "a\n"})
    state = ["--state", str(tmp_path / "state.db")]
    assert main(["git", str(repo.path), "--since-last", *state]) == 0
    assert "nothing new" not in capsys.readouterr().err
    assert main(["git", str(repo.path), "--since-last", *state]) == 0
    assert "nothing new since the last scan" in capsys.readouterr().err


def test_ci_options_have_help():
    proc = subprocess.run([sys.executable, "-m", "leakbot", "ci", "--help"], capture_output=True,
                          text=True)  # fmt: skip
    assert "--event-path FILE" in proc.stdout and "--sarif-file FILE" in proc.stdout
    assert "$GITHUB_EVENT_NAME" in proc.stdout


def test_verbose_says_what_ran_and_what_was_hidden_and_why(tmp_path, keys, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".leakbot.toml").write_text(
        'version = 1\n[[allowlists]]\ndescription = "fixtures"\npaths = ["fixtures/"]\n'
    )
    (tmp_path / "fixtures").mkdir()
    hidden, shown = keys.rand("dh_live_", 32), keys.rand("dh_live_", 32)
    (tmp_path / "fixtures" / "a.env").write_text(f"DEVHELM_API_TOKEN={hidden}\n")
    (tmp_path / "b.env").write_text(f"DEVHELM_API_TOKEN={shown}\n")
    assert main(["scan", ".", "-v", "--engine", "regex"]) == 1
    out, err = capsys.readouterr()
    assert "leakbot: config: .leakbot.toml" in err
    assert "leakbot: engine: regex; " in err and "1 allowlist(s)" in err
    (line,) = [x for x in err.splitlines() if x.startswith("leakbot: hidden by an allowlist")]
    assert "fixtures/a.env:1:19" in line and hidden not in line and hidden not in out
    assert "leakbot: scanned in " in err and "b.env:1:19" in out
    assert main(["scan", ".", "-q", "-v"]) == 2  # one or the other
    assert "not allowed with argument -q/--quiet" in capsys.readouterr().err


def test_a_command_imports_only_its_own_module():
    """The pre-commit hook's `leakbot git --staged` loads neither the bot, the rotation code
    nor the other commands: each costs start-up time on every commit."""
    import subprocess
    import sys

    code = ("import sys; from leakbot.cli import build_parser; build_parser('git');"
            "print(' '.join(sorted(sys.modules)))")  # fmt: skip
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()  # fmt: skip
    assert "leakbot.commands.git_cmd" in loaded
    for heavy in ("leakbot.commands.serve_cmd", "leakbot.commands.revoke_cmd", "leakbot.rotation",
                  "revoker.delivery", "leakbot.settings", "tempfile", "apscheduler", "httpx"):  # fmt: skip
        assert heavy not in loaded, heavy
