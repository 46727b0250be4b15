"""A finding: where a credential was found and its identity; the raw secret stays in memory only."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from scanner.assigned import valid_name


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def redact(secret: bytes) -> str:
    """A preview that shows the kind of key but not enough of it to use or brute-force."""
    text = secret.decode("utf-8", "replace")
    shown = min(12, len(text) // 4)
    return f"{text[:shown]}…({len(text)} chars)"


def fingerprint(rule_id: str, secret_sha256: str, path: str) -> str:
    """A credential at a path: rule, secret hash and path, never a line (lines move) or a commit,
    so `scan`, `git`, `diff` and `ci` give one identity and a baseline of any of them holds for
    all (a key baselined in history stays quiet on a push that moves it within its file)."""
    text = f"{rule_id}\0{secret_sha256}\0{path}\0"  # as 0.1 wrote them: old baselines hold
    return sha256_hex(text.encode("utf-8", "surrogateescape"))


# C0 controls, DEL, C1 controls, and the bidi overrides and isolates (they reorder what a reader
# sees). A file name or a git message holding one could forge report lines or retitle a window.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


_SURROGATE = re.compile("[\ud800-\udfff]")  # bytes that were not UTF-8 (surrogateescape)


def printable(text: str) -> str:
    """Text safe for a terminal or a log: every control character shown as an escape (`\\x1b`,
    `\\n`), never sent raw; bytes that were not UTF-8 shown as U+FFFD (they cannot be printed)."""
    return _UNPRINTABLE.sub(_escape, _SURROGATE.sub("\ufffd", text))


def printable_path(path: str) -> str:
    """A path for humans (see printable)."""
    return printable(path)


@dataclass
class Finding:
    rule_id: str
    vendor: str | None
    candidates: tuple[str, ...]
    description: str
    path: str
    line: int
    column: int
    end_column: int
    secret_sha256: str
    preview: str
    fingerprint: str
    encoding: str = "plain"
    variable: str | None = None  # the name the leaked line assigns the key to (scanner.assigned)
    partner_rule_id: str | None = None
    partner_sha256: str | None = None
    commit: str | None = None
    # Git history: who introduced it, which refs reach it, and where else the same key appears.
    author: str | None = None
    date: str | None = None
    refs: tuple[str, ...] = ()
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    # Set by `--verify`: {"status": live|dead|unknown|unverifiable, "reason": ...}.
    verification: dict[str, str] | None = None
    secret: bytes = field(default=b"", repr=False, compare=False)
    partner_secret: bytes = field(default=b"", repr=False, compare=False)  # a pair's other half

    def to_dict(self, *, show_secret: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "vendor": self.vendor,
            "candidates": list(self.candidates),
            "description": self.description,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_column": self.end_column,
            "secret_sha256": self.secret_sha256,
            "preview": self.preview,
            "fingerprint": self.fingerprint,
            "encoding": self.encoding,
            "partner": (
                {"rule_id": self.partner_rule_id, "secret_sha256": self.partner_sha256}
                if self.partner_sha256
                else None
            ),
        }
        if self.variable:
            out["variable"] = self.variable
        if self.commit:
            out["commit"] = self.commit
            out["author"] = self.author
            out["date"] = self.date
            out["refs"] = list(self.refs)
            out["occurrences"] = self.occurrences
        if self.verification is not None:
            out["verification"] = self.verification
        if show_secret:
            out["secret"] = self.secret.decode("utf-8", "replace")
        return out

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Finding:
        """The inverse of to_dict (a report read back); KeyError/TypeError/ValueError if the
        document is not a finding. A "secret" in it (a --show-secrets report) is kept."""
        partner = doc.get("partner") or {}
        return cls(
            rule_id=str(doc["rule_id"]),
            vendor=doc["vendor"],
            candidates=tuple(doc.get("candidates") or ()),
            description=str(doc.get("description", "")),
            path=str(doc["path"]),
            line=int(doc["line"]),
            column=int(doc.get("column", 1)),
            end_column=int(doc.get("end_column", 1)),
            secret_sha256=str(doc["secret_sha256"]),
            preview=str(doc["preview"]),
            fingerprint=str(doc.get("fingerprint", "")),
            encoding=str(doc.get("encoding", "plain")),
            variable=valid_name(doc.get("variable")),
            partner_rule_id=partner.get("rule_id"),
            partner_sha256=partner.get("secret_sha256"),
            commit=doc.get("commit"),
            author=doc.get("author"),
            date=doc.get("date"),
            refs=tuple(doc.get("refs") or ()),
            occurrences=list(doc.get("occurrences") or []),
            verification=doc.get("verification"),
            secret=str(doc.get("secret", "")).encode(),
        )
