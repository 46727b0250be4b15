"""Where a SARIF result points: a URI code scanning can open.

Inside a git work tree a path is given relative to the repository root under the `%SRCROOT%` base
(declared in `originalUriBaseIds`), which is what GitHub resolves against its checkout; anything
else is an absolute `file://` URI. `scan /srv/app/src` no longer becomes `srv/app/src/...` and
`scan ../config` no longer `../config/...`: both point at files that exist.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from scanner.git.run import work_tree_of

SRCROOT = "%SRCROOT%"


def _encoded(path: str) -> str:
    return quote(path.replace(os.sep, "/"), safe="/", errors="surrogateescape")


def file_uri(path: str) -> str:
    """An absolute path as a file:// URI (a folder ends with '/')."""
    return "file://" + _encoded(path)


class Locator:
    """Artifact locations for one run. With `repo_paths` the paths are a repository's, relative
    to its work tree `root` (None: a bare mirror, whose paths stay relative with no base);
    otherwise they are as the user named them, relative to the current folder or absolute."""

    def __init__(self, repo_paths: bool = False, root: str | None = None) -> None:
        self.repo_paths = repo_paths
        self.root = os.path.abspath(root) if root else None
        self.srcroot: str | None = self.root
        self._trees: dict[str, str | None] = {}

    def artifact(self, path: str) -> dict[str, Any]:
        if path.startswith("<"):  # <stdin>, <blob sha>: no file to point at
            return {"uri": quote(path, safe="")}
        if self.repo_paths and self.root is None:
            return {"uri": _encoded(path)}
        full = os.path.normpath(os.path.join(self.root or os.getcwd(), path))
        tree = self.root or self._tree(full)
        if tree is not None and self.srcroot in (None, tree):
            self.srcroot = tree
            return {"uri": _encoded(os.path.relpath(full, tree)), "uriBaseId": SRCROOT}
        return {"uri": file_uri(full)}

    def base_ids(self) -> dict[str, Any]:
        """originalUriBaseIds for the run (empty when no result used %SRCROOT%)."""
        if self.srcroot is None:
            return {}
        return {SRCROOT: {"uri": file_uri(self.srcroot.rstrip("/") + "/")}}

    def _tree(self, full: str) -> str | None:
        folder = os.path.dirname(full)
        if folder not in self._trees:
            self._trees[folder] = work_tree_of(full)
        return self._trees[folder]
