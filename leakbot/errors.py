"""Errors raised by the leakbot shell.

    Exception
     ├── ConfigError     a config file is malformed (names the file and the key)   -> exit 2
     └── UsageError      the command line asks for something impossible          -> exit 2

`rules.RuleError`, `scanner.ScanError` and `revoker.RevokerError` are also turned into one-line
messages (exit 2) by `cli.main`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a command's exit status means (README "Exit codes")."""

    CLEAN = 0  # nothing found, and everything was scanned
    FINDINGS = 1  # findings reported (or, for revoke, rows still open)
    USAGE = 2  # a usage or configuration error: one line naming the file and the problem
    ERROR = 3  # an unexpected error
    INCOMPLETE = 4  # the scan could not do all its work: what it found is reported, more may exist

    @classmethod
    def of(cls, findings: int, incomplete: int) -> ExitCode:
        """A scan's status: lost work outranks findings, so it is never read as the usual 1."""
        if incomplete:
            return cls.INCOMPLETE
        return cls.FINDINGS if findings else cls.CLEAN


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the problem."""


class UsageError(Exception):
    """The command line is wrong in a way argparse cannot see."""
