"""Errors raised by the leakbot shell.

    Exception
     ├── ConfigError     a config file is malformed (names the file and the key)   -> exit 2
     └── UsageError      the command line asks for something impossible          -> exit 2

`rules.RuleError`, `scanner.ScanError` and `revoker.RevokerError` are also turned into one-line
messages (exit 2) by `cli.main`.
"""


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the problem."""


class UsageError(Exception):
    """The command line is wrong in a way argparse cannot see."""
