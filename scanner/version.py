"""The installed leakbot version (for --version and the SARIF tool record)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def tool_version() -> str:
    try:
        return version("leakbot")
    except PackageNotFoundError:
        return "0.0.0"
