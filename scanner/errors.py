"""Errors raised by the scanner package.

    Exception
     └── ScanError     a source, baseline or report cannot be used (names file and problem)

Problems with single inputs during a scan (an unreadable file, a broken symlink, a user rule that
timed out) are not raised: they become notes on the scan and the scan goes on.
"""


class ScanError(Exception):
    """A scan cannot start or a report cannot be written; the message is one line for the user."""
