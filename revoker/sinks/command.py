"""`command` sink: run a program with the new value on its stdin, never on its argv
(e.g. `gh secret set NAME -R owner/repo`). `{name}` in an argument becomes the variable name.

The child gets only PATH, HOME, LANG and the variables the sink names in `env` (e.g. GH_TOKEN),
never the vendors' admin credentials that leakbot itself holds in its environment."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

from revoker.errors import RevokerError

BASE_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


class CommandSink:
    def __init__(self, name: str, command: Sequence[str], timeout: float = 60.0,
                 env: Sequence[str] = ()) -> None:  # fmt: skip
        if isinstance(command, str) or not command or not all(isinstance(a, str) for a in command):
            raise ValueError('\'command\' must be a list of strings, e.g. ["gh", "secret", "set"]')
        if any("{value}" in arg for arg in command):
            raise ValueError("'command' must not put the value on the command line: it gets stdin")
        if isinstance(env, str) or not all(isinstance(v, str) for v in env):
            raise ValueError("'env' must be a list of variable names, e.g. [\"GH_TOKEN\"]")
        self.name = name
        self.command = list(command)
        self.timeout = float(timeout)
        self.passed = (*BASE_ENV, *env)

    def deliver(self, variable: str, value: bytes) -> None:
        argv = [arg.replace("{name}", variable) for arg in self.command]
        try:
            proc = subprocess.run(
                argv,
                input=value,
                capture_output=True,
                timeout=self.timeout,
                check=False,
                env={k: os.environ[k] for k in self.passed if k in os.environ},
            )
        except FileNotFoundError:
            raise RevokerError(f"sink {self.name}: {argv[0]}: command not found") from None
        except subprocess.TimeoutExpired:
            raise RevokerError(f"sink {self.name}: {argv[0]} timed out") from None
        if proc.returncode != 0:
            # The child's output is not shown: it could echo what it was given.
            raise RevokerError(f"sink {self.name}: {argv[0]} exited with {proc.returncode}")
