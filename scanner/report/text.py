"""Human text: one line a finding (redacted unless asked), then a summary line."""

from __future__ import annotations

from collections import Counter
from typing import Any, TextIO

from scanner.finding import Finding, printable, printable_path
from scanner.result import ScanResult, Stats

_COLORS = {"rule": "\x1b[1;31m", "vendor": "\x1b[33m", "path": "\x1b[36m", "dim": "\x1b[2m"}
_RESET = "\x1b[0m"


def _paint(text: str, role: str, color: bool) -> str:
    return f"{_COLORS[role]}{text}{_RESET}" if color else text


def finding_line(f: Finding, *, show_secrets: bool = False, color: bool = False) -> str:
    vendor = f.vendor or "?".join(f.candidates) + "?"
    where = f"{printable_path(f.path)}:{f.line}:{f.column}" + (
        f"@{f.commit[:10]}" if f.commit else ""
    )
    value = f.secret.decode("utf-8", "replace") if show_secrets else f.preview
    extra = " [base64]" if f.encoding != "plain" else ""
    extra += " [paired]" if f.partner_sha256 else ""
    if f.verification:  # an unknown answer says why (a timeout, a 503, a malformed answer)
        status, reason = f.verification["status"].upper(), f.verification.get("reason", "")
        why = f": {printable(reason)}" if status == "UNKNOWN" and reason else ""
        extra += f" [{status}{why}]"
    return (
        f"{_paint(where, 'path', color)}  {_paint(f.rule_id, 'rule', color)}  "
        f"{_paint(vendor, 'vendor', color)}  {value}{extra}  "
        f"{_paint('sha256:' + f.secret_sha256[:16], 'dim', color)}"
    )


def _size(n: int) -> str:
    """Decimal units (1 MB = 1,000,000 bytes), as the progress bar counts them."""
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"


def summary_line(findings: list[Finding], stats: Stats, incomplete: int = 0) -> str:
    """One line; a scan that could not do all its work never says "no leaks found"."""
    if findings:
        by_vendor = Counter(f.vendor or "ambiguous" for f in findings)
        parts = ", ".join(f"{v} {n}" for v, n in sorted(by_vendor.items()))
        head = f"{len(findings)} finding{'s' * (len(findings) != 1)} ({parts})"
    else:
        head = "no leaks found" if not incomplete else "no leaks found in what could be read"
    if incomplete:
        head = f"INCOMPLETE ({incomplete} problem{'s' * (incomplete != 1)} above): {head}"
    tail = f" in {stats.files} file{'s' * (stats.files != 1)}, {_size(stats.bytes)}"
    if stats.commits:
        tail = (f" in {stats.commits} commit{'s' * (stats.commits != 1)} ({stats.files} "
                f"blob{'s' * (stats.files != 1)}, {_size(stats.bytes)})")  # fmt: skip
    skipped = [text.format(n=n, s="s" * (n != 1)) for n, text in (
        (stats.binary, "{n} binary skipped"),
        (stats.symlinks, "{n} symlink{s} not followed"),
        (stats.errors, "{n} unreadable"),
        (stats.excluded, "{n} excluded"),
        (stats.ignored, "{n} ignored by .gitignore"),
        (stats.baselined, "{n} known to the baseline, not shown"),
    ) if n]  # fmt: skip
    return head + tail + ("; " + ", ".join(skipped) if skipped else "")


def write_text(
    result: ScanResult, out: TextIO, *, show_secrets: bool = False, color: bool = False, **_: Any
) -> None:
    for finding in result.findings:
        out.write(finding_line(finding, show_secrets=show_secrets, color=color) + "\n")
    out.write(summary_line(result.findings, result.stats, len(result.incomplete)) + "\n")
