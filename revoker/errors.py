"""Errors raised by the revoker package.

Exception
 └── RevokerError          a key-service call cannot be made or failed (never holds a secret)
      └── InsecureURL      a key-service URL that is not HTTPS (plain HTTP only to loopback)
"""


class RevokerError(Exception):
    """A key-service step failed; the message names the vendor and the step, never a key."""


class InsecureURL(RevokerError):
    """Key-service calls go over HTTPS; plain HTTP only to loopback (tests, the emulator)."""
