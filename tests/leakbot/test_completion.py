"""`leakbot completion bash`, sourced into a real bash and asked to complete."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.needs import need

ASK = """
source "$1"; shift
COMP_LINE="$1"; read -ra COMP_WORDS <<< "$1"
[[ "$1" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_POINT=${#COMP_LINE}
COMPREPLY=(); _shtab_leakbot; printf '%s\\n' "${COMPREPLY[@]}"
"""


@pytest.fixture(scope="module")
def script(tmp_path_factory):
    out = subprocess.run([sys.executable, "-m", "leakbot", "completion", "bash"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    path = tmp_path_factory.mktemp("completion") / "leakbot.bash"
    path.write_text(out)
    return path


@pytest.mark.parametrize("line, expected", [
    ("leakbot sc", ["scan"]),
    ("leakbot scan --form", ["--format"]),
    ("leakbot scan --format ", ["json", "jsonl", "sarif", "text"]),
    ("leakbot git --sta", ["--staged", "--state"]),
    ("leakbot revoke --form", ["--format"]),
])  # fmt: skip
def test_bash_completes_commands_options_and_choices(script, line, expected):
    bash = need("bash", "the completion script is checked in a real bash")
    run = subprocess.run([bash, "-c", ASK, "ask", str(script), line], capture_output=True,
                         text=True)  # fmt: skip
    assert run.stdout.split() == expected, run.stderr


def test_file_arguments_complete_file_names(script, tmp_path):
    bash = need("bash", "the completion script is checked in a real bash")
    (tmp_path / "app.env").write_text("x\n")
    run = subprocess.run([bash, "-c", ASK, "ask", str(script), "leakbot scan --baseline ap"],
                         capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert "app.env" in run.stdout.split(), run.stderr


def test_every_shell_gets_a_script():
    for shell in ("bash", "zsh", "tcsh"):
        run = subprocess.run([sys.executable, "-m", "leakbot", "completion", shell],
                             capture_output=True, text=True)  # fmt: skip
        assert run.returncode == 0 and "leakbot" in run.stdout and "scan" in run.stdout
