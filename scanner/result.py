"""What a scan returns: findings, counts and notes (light to import: the CLI needs it early)."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.finding import Finding


@dataclass
class Stats:
    files: int = 0
    bytes: int = 0
    binary: int = 0
    symlinks: int = 0
    errors: int = 0
    commits: int = 0  # git history: the commits walked (files are then the blobs read)
    baselined: int = 0  # findings the baseline already knew (not reported)
    excluded: int = 0  # files and folders left out by --exclude
    ignored: int = 0  # files a work tree's .gitignore ignores (not scanned by default)

    def add(self, other: Stats) -> None:
        for name in ("files", "bytes", "binary", "symlinks", "errors", "commits", "baselined",
                     "excluded", "ignored"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ScanResult:
    """`notes` inform; `incomplete` names work the scan could not do (a git child that failed,
    an unreadable file, missing blobs, a rule that timed out). A result with anything in
    `incomplete` is never reported as clean: its findings stand, but others may be missing."""

    findings: list[Finding] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    notes: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    # Git scans give repository paths: `repo_paths` is set, and `root` is the work tree they are
    # relative to (None for a bare mirror). File scans give paths as the user named them.
    repo_paths: bool = False
    root: str | None = None
