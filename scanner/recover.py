"""Read a leaked key again from where it was found, by its hash.

Reports and the ledger never hold a raw secret, only its SHA-256 and a location. Verifying or
revoking later needs the value, so it is read again from that location: a git blob (repository,
commit, path), or a file (plain or .gz), and only the key with the recorded hash is taken. A log
that has been rotated since (app.log -> app.log.1, app.log.2.gz, app.log-20261123) is followed
into its rotated copies next to it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from scanner.engine import Engine
from scanner.errors import ScanError
from scanner.finding import Finding
from scanner.fragment import Fragment

UNREADABLE = ("-", "<stdin>", "")


def location_of(finding: Finding, repo: str | None = None) -> dict[str, Any]:
    """Where a finding can be read again: absolute paths, so it works from any directory."""
    where: dict[str, Any] = {"path": finding.path, "line": finding.line}
    if repo is not None:
        where["repo"] = os.path.abspath(repo)
        if finding.commit:
            where["commit"] = finding.commit
    elif finding.path not in UNREADABLE:
        where["path"] = os.path.abspath(finding.path)
    return where


def read_again(engine: Engine, where: Mapping[str, Any], sha256: str) -> Finding | None:
    """The finding (with its secret in memory) whose key hashes to `sha256`, or None when the
    location no longer holds it (edited file, stdin, a commit the clone has lost)."""
    for place in [where, *({"path": p} for p in _rotated(where))]:
        for finding in _scan(engine, place):
            if finding.secret_sha256 == sha256:
                return finding
    return None


MAX_ROTATED = 10


def _rotated(where: Mapping[str, Any]) -> list[str]:
    """The newest rotated copies of a plain file: same folder, name + "." / "-" / "_" + suffix."""
    path = str(where.get("path", ""))
    if where.get("repo") or path in UNREADABLE:
        return []
    folder, name = os.path.split(path)
    try:
        with os.scandir(folder or ".") as found:
            entries = [e for e in found if e.is_file() and e.name != name and
                       e.name.startswith(name) and e.name[len(name)] in ".-_"]  # fmt: skip
        entries.sort(key=lambda e: e.stat().st_mtime, reverse=True)
    except OSError:
        return []
    return [e.path for e in entries[:MAX_ROTATED]]


def _scan(engine: Engine, where: Mapping[str, Any]) -> list[Finding]:
    path = str(where.get("path", ""))
    if path in UNREADABLE:
        return []
    repo = where.get("repo")
    try:
        if repo and where.get("commit"):
            from scanner.git.run import git

            data = git(str(repo), "cat-file", "blob", f"{where['commit']}:{path}")
            return engine.scan(Fragment(data, path, commit=str(where["commit"])), [])
        from scanner.pipeline import run_scan

        full = os.path.join(str(repo), path) if repo else path
        return run_scan(engine, [full], jobs=1).findings
    except (ScanError, OSError):
        return []
