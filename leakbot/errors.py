"""Errors raised by the leakbot shell.

    Exception
     ├── ConfigError     a config file is malformed (names the file and the key)   -> exit 2
     └── UsageError      the command line asks for something impossible          -> exit 2

`rules.RuleError` and `scanner.ScanError` are also turned into one-line messages by `cli.main`.
"""


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the problem."""


class UsageError(Exception):
    """The command line is wrong in a way argparse cannot see."""
