"""Tools and services the tests use that the Python install does not bring: a test that needs
one asks `need()`, which skips with the reason on a user's machine and fails in CI."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

# .ci/run sets this: there a tool or service a test needs is never missing, so a skip for want of
# one would hide a test that did not run. It fails instead.
REQUIRE_ALL = os.environ.get("LEAKBOT_TEST_REQUIRE_ALL") == "1"


def need(tool: str, why: str) -> str:
    """The path of `tool` (from this Python's bin folder first, then PATH), or skip saying why;
    under LEAKBOT_TEST_REQUIRE_ALL a missing tool fails the test."""
    found = shutil.which(tool, path=os.pathsep.join([os.path.dirname(sys.executable),
                                                     os.environ.get("PATH", "")]))  # fmt: skip
    if found:
        return found
    message = f"{tool} is not installed: {why}"
    if REQUIRE_ALL:
        pytest.fail(message + " (LEAKBOT_TEST_REQUIRE_ALL=1: CI must run this)")
    pytest.skip(message)
